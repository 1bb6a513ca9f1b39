import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator';
import {
	CHARACTER,
	DRIVING,
	FAST,
	OUTPUT,
	TOO_SHORT,
	call,
	download,
	receiver,
	sleep,
	startsWithFtyp,
	waitFor,
} from './helpers';

jest.setTimeout(20000);

/** A client of the simulated Muapi (x-api-key, JSON bodies). */
function client(sim: Simulator, key = sim.keys.muapi) {
	return (path: string, init: Parameters<typeof call>[1] = {}) =>
		call(sim.baseUrls.muapi + path, {
			...init,
			headers: { 'x-api-key': key, ...(init.headers ?? {}) },
		});
}

const i2v = (sim: Simulator, extra: Record<string, unknown> = {}) => ({
	image_url: sim.staticUrl('character.png'),
	reference_video_url: sim.staticUrl('driving.mp4'),
	aspect_ratio: '16:9',
	...extra,
});

const resultPath = (id: string) => '/predictions/' + encodeURIComponent(id) + '/result';

async function finished(muapi: ReturnType<typeof client>, id: string, seen: string[] = []) {
	return waitFor(async () => {
		const res = await muapi(resultPath(id));
		const s = (res.json?.status ?? res.json?.detail?.status) as string;
		if (seen[seen.length - 1] !== s) seen.push(s);
		return ['pending', 'queued', 'processing'].includes(s) ? undefined : res;
	});
}

async function uploadFile(sim: Simulator, name: string, bytes: Buffer, type: string) {
	const form = new FormData();
	form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
	const res = await fetch(sim.baseUrls.muapi + '/upload_file', {
		method: 'POST',
		headers: { 'x-api-key': sim.keys.muapi },
		body: form,
	});
	return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('simulator: Muapi', () => {
	let sim: Simulator;
	let muapi: ReturnType<typeof client>;

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST, callbackRetry: { attempts: 3, baseDelayMs: 50 } });
		muapi = client(sim);
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	it('rejects a missing, wrong or Bearer key with 401 {detail}; GET /account/balance is the credential test', async () => {
		const variants: Array<Record<string, string>> = [
			{},
			{ 'x-api-key': 'nope' },
			{ authorization: 'Bearer ' + sim.keys.muapi },
		];
		for (const headers of variants) {
			const res = await call(sim.baseUrls.muapi + '/account/balance', { headers });
			expect(res.status).toBe(401);
			expect(res.json).toEqual({ detail: expect.any(String) });
		}
		const ok = await muapi('/account/balance');
		expect(ok.status).toBe(200);
		expect(ok.json).toEqual({ balance: 100, currency: 'USD' });
		expect(ok.headers.get('x-account-balance')).toBe('100');
		expect(JSON.stringify(sim.requests())).not.toContain(sim.keys.muapi);
	});

	it('i2v: creates {request_id, status:"processing", cost}, polls pending -> processing -> completed, serves outputs[0]', async () => {
		const res = await muapi('/runway-act-two-i2v', { body: i2v(sim) });
		expect(res.status).toBe(200);
		const cost = { amount_usd: 0.07, amount_credits: 7, bonus_credits_used: 0, refunded: false };
		expect(res.json).toEqual({ request_id: expect.any(String), status: 'processing', cost });
		expect(res.headers.get('x-muapi-cost-usd')).toBe('0.07');
		const id = res.json.request_id as string;
		const seen: string[] = [];
		const done = await finished(muapi, id, seen);
		expect(seen).toEqual(['pending', 'processing', 'completed']);
		expect(done.status).toBe(200);
		expect(done.json).toEqual({
			id,
			status: 'completed',
			outputs: [expect.stringContaining('/files/')],
			urls: { get: sim.baseUrls.muapi + resultPath(id) },
			has_nsfw_contents: [false],
			created_at: expect.any(String),
			error: null,
			executionTime: expect.any(Number),
			timings: { inference: expect.any(Number) },
			cost,
		});
		const file = await download(done.json.outputs[0]);
		expect(file.headers.get('content-type')).toBe('video/mp4');
		expect(startsWithFtyp(file.bytes)).toBe(true);
		expect(file.bytes.equals(OUTPUT)).toBe(true);
		expect((await muapi('/account/balance')).json.balance).toBe(99.93);
		expect(sim.tasks()[0]).toMatchObject({ provider: 'muapi', extra: { aspectRatio: '16:9' } });
	});

	it('v2v: takes video_url and costs $0.30; aspect_ratio defaults to 16:9', async () => {
		const res = await muapi('/runway-act-two-v2v', {
			body: {
				video_url: sim.staticUrl('driving.mp4'),
				reference_video_url: sim.staticUrl('driving.mp4'),
			},
		});
		expect(res.status).toBe(200);
		expect(res.json.cost.amount_usd).toBe(0.3);
		expect(sim.tasks()[0].extra).toMatchObject({
			endpoint: 'v2v',
			characterType: 'video',
			aspectRatio: '16:9',
		});
		// the image endpoint's field is not the video endpoint's
		const wrong = await muapi('/runway-act-two-v2v', { body: i2v(sim) });
		expect(wrong.status).toBe(422);
		expect(wrong.json.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'video_url'] });
	});

	it('answers 422 in the pydantic shape (missing field, literal_error, string_type, invalid JSON) and 404/405 {detail}', async () => {
		const missing = await muapi('/runway-act-two-i2v', {
			body: { image_url: sim.staticUrl('character.png'), prompt: 'animate test' },
		});
		expect(missing.status).toBe(422);
		expect(missing.json).toEqual({
			detail: [
				{
					type: 'missing',
					loc: ['body', 'reference_video_url'],
					msg: 'Field required',
					input: { image_url: sim.staticUrl('character.png'), prompt: 'animate test' },
					url: 'https://errors.pydantic.dev/2.12/v/missing',
				},
			],
		});
		const many = await muapi('/runway-act-two-i2v', {
			body: i2v(sim, { aspect_ratio: '1280:720', image_url: 5 }),
		});
		expect(many.json.detail).toEqual([
			expect.objectContaining({ type: 'string_type', loc: ['body', 'image_url'], input: 5 }),
			expect.objectContaining({
				type: 'literal_error',
				loc: ['body', 'aspect_ratio'],
				msg: "Input should be '16:9', '9:16', '1:1', '4:3', '3:4' or '21:9'",
				ctx: { expected: "'16:9', '9:16', '1:1', '4:3', '3:4' or '21:9'" },
			}),
		]);
		const bad = await muapi('/runway-act-two-i2v', {
			raw: '{"image_url":',
			headers: { 'content-type': 'application/json' },
		});
		expect(bad.status).toBe(422);
		expect(bad.json.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 0] });
		const unknown = await muapi('/runway-act-two-x', { body: i2v(sim) });
		expect(unknown.status).toBe(404);
		expect(unknown.json).toEqual({ detail: 'Not Found' });
		const method = await muapi('/runway-act-two-i2v');
		expect(method.status).toBe(405);
		expect(method.json).toEqual({ detail: 'Method Not Allowed' });
		const prediction = await muapi(resultPath('nope'));
		expect(prediction.status).toBe(404);
		expect(prediction.json).toEqual({ detail: expect.any(String) });
		expect(sim.tasks()).toEqual([]);
	});

	it('ignores fields outside the schema (body control, intensity, seed) by default and records them', async () => {
		const res = await muapi('/runway-act-two-i2v', {
			body: i2v(sim, { body_control: true, expression_intensity: 5, seed: 7 }),
		});
		expect(res.status).toBe(200);
		expect(sim.tasks()[0].input).toMatchObject({ seed: 7 });
	});

	it('rejects unusable media URLs with 400 {detail} and creates nothing', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ image_url: sim.staticUrl('driving.mp4') }, /^image_url: .*video\/mp4 for image/],
			[
				{ reference_video_url: sim.staticUrl('too-short.mp4') },
				/^reference_video_url: The reference video must be between 3 and 30/,
			],
			[{ image_url: 'data:image/png;base64,AAAA' }, /^image_url: Data URIs are not supported/],
			[{ image_url: 'http://example.com/a.png' }, /^image_url: URL must use HTTPS/],
		];
		for (const [extra, detail] of cases) {
			const res = await muapi('/runway-act-two-i2v', { body: i2v(sim, extra) });
			expect(res.status).toBe(400);
			expect(res.json.detail).toMatch(detail);
		}
		expect(sim.tasks()).toEqual([]);
	});

	it.each([
		['error', /Generation failed/],
		['moderation', /content moderation/],
		['no_face', /No face detected/],
	] as const)(
		'outcome %s: the result answers HTTP 400 {status:"failed", error}, refunded',
		async (outcome, message) => {
			sim.outcomes.next('muapi', outcome);
			const res = await muapi('/runway-act-two-i2v', { body: i2v(sim) });
			const done = await finished(muapi, res.json.request_id);
			expect(done.status).toBe(400);
			expect(done.json).toMatchObject({
				id: res.json.request_id,
				status: 'failed',
				outputs: [],
				error: expect.stringMatching(message),
				cost: { amount_usd: 0.07, refunded: true },
			});
			expect(done.headers.get('x-muapi-cost-refunded')).toBe('true');
			expect((await muapi('/account/balance')).json.balance).toBe(100);
		},
	);

	it('a stuck prediction stays "processing"; no_credits answers 402 {detail} and creates nothing', async () => {
		sim.outcomes.next('muapi', 'stuck');
		const stuck = await muapi('/runway-act-two-i2v', { body: i2v(sim) });
		await sleep(FAST.queuedMs + FAST.runningMs + 300);
		expect((await muapi(resultPath(stuck.json.request_id))).json.status).toBe('processing');
		sim.outcomes.next('muapi', 'no_credits');
		const res = await muapi('/runway-act-two-v2v', {
			body: {
				video_url: sim.staticUrl('driving.mp4'),
				reference_video_url: sim.staticUrl('driving.mp4'),
			},
		});
		expect(res.status).toBe(402);
		expect(res.json).toEqual({ detail: expect.stringMatching(/Insufficient credits/) });
		expect(sim.tasks()).toHaveLength(1);
	});

	it('POST /upload_file (multipart "file") returns a URL it serves; a create with uploaded URLs renders', async () => {
		const image = await uploadFile(sim, 'me.png', CHARACTER, 'image/png');
		expect(image.status).toBe(200);
		expect(image.json).toEqual({ url: expect.stringMatching(/\/files\/muapi\/[^/]+\/me\.png$/) });
		const video = await uploadFile(sim, 'act.mp4', DRIVING, 'application/octet-stream');
		const served = await download(video.json.url as string);
		expect(served.headers.get('content-type')).toBe('video/mp4');
		expect(served.bytes.equals(DRIVING)).toBe(true);
		const res = await muapi('/runway-act-two-i2v', {
			body: { image_url: image.json.url, reference_video_url: video.json.url },
		});
		expect(res.status).toBe(200);
		const done = await finished(muapi, res.json.request_id);
		expect(done.json.status).toBe('completed');
		// an uploaded reference is checked like any other
		const short = await uploadFile(sim, 'short.mp4', TOO_SHORT, 'video/mp4');
		const rejected = await muapi('/runway-act-two-i2v', {
			body: { image_url: image.json.url, reference_video_url: short.json.url },
		});
		expect(rejected.status).toBe(400);
		// no file part, or not multipart at all: the pydantic "missing" answer
		const form = new FormData();
		form.append('other', 'x');
		const noFile = await fetch(sim.baseUrls.muapi + '/upload_file', {
			method: 'POST',
			headers: { 'x-api-key': sim.keys.muapi },
			body: form,
		});
		expect(noFile.status).toBe(422);
		expect(((await noFile.json()) as { detail: unknown[] }).detail[0]).toMatchObject({
			type: 'missing',
			loc: ['body', 'file'],
		});
		expect((await muapi('/upload_file', { body: { file: 'x' } })).status).toBe(422);
		const noKey = await fetch(sim.baseUrls.muapi + '/upload_file', {
			method: 'POST',
			body: new FormData(),
		});
		expect(noKey.status).toBe(401);
		// after reset the upload is gone
		sim.reset();
		expect((await download(image.json.url as string)).status).toBe(404);
	});

	it('upload limits: images 10 MB, videos 50 MB (413 {detail} above)', async () => {
		const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1);
		const image = await uploadFile(sim, 'big.png', big, 'image/png');
		expect(image.status).toBe(413);
		expect(image.json).toEqual({ detail: expect.stringContaining('10 MB') });
		const video = await uploadFile(sim, 'big.mp4', big, 'video/mp4');
		expect(video.status).toBe(200);
		expect((await download(video.json.url as string)).bytes.length).toBe(big.length);
	});

	it('?webhook=: one unsigned POST with "id" when the prediction completes', async () => {
		const hook = await receiver();
		try {
			const res = await muapi(
				'/runway-act-two-i2v?webhook=' + encodeURIComponent(hook.url + '?t=s3cret'),
				{
					body: i2v(sim),
				},
			);
			expect(res.status).toBe(200);
			const id = res.json.request_id as string;
			await waitFor(() => hook.received.length > 0);
			await sleep(100);
			expect(hook.received).toHaveLength(1);
			const got = hook.received[0];
			expect(got.body).toEqual({
				id,
				status: 'completed',
				outputs: [expect.stringContaining('/files/')],
				urls: { get: sim.baseUrls.muapi + resultPath(id) },
				has_nsfw_contents: [false],
				created_at: expect.any(String),
				executionTime: expect.any(Number),
				timings: { inference: expect.any(Number) },
			});
			expect(got.body).not.toHaveProperty('request_id');
			expect(
				Object.keys(got.headers).filter((h) => /signature|secret|api-key|authorization/i.test(h)),
			).toEqual([]);
			expect((await sim.callbacksSettled())[0]).toMatchObject({
				provider: 'muapi',
				taskId: id,
				url: hook.url + '?t=s3cret',
				status: 200,
			});
			expect((await download(got.body.outputs[0])).bytes.equals(OUTPUT)).toBe(true);
		} finally {
			await hook.close();
		}
	});

	it('?webhook=: a failed prediction posts status "failed" with error and no outputs; non-2xx answers are retried', async () => {
		const hook = await receiver([500, 503, 200]);
		try {
			sim.outcomes.next('muapi', 'error');
			const res = await muapi('/runway-act-two-i2v?webhook=' + encodeURIComponent(hook.url), {
				body: i2v(sim),
			});
			await waitFor(() => hook.received.length >= 3, 5000);
			const bodies = hook.received.map((r) => r.body);
			expect(bodies[0]).toEqual(bodies[2]);
			expect(bodies[0]).toMatchObject({
				id: res.json.request_id,
				status: 'failed',
				error: expect.stringMatching(/Generation failed/),
			});
			expect(bodies[0]).not.toHaveProperty('outputs');
			const log = await sim.callbacksSettled();
			expect(log.map((c) => [c.attempt, c.status])).toEqual([
				[1, 500],
				[2, 503],
				[3, 200],
			]);
		} finally {
			await hook.close();
		}
	});

	it('rejects a webhook that is not a URL with 422 (loc query.webhook)', async () => {
		const res = await muapi('/runway-act-two-i2v?webhook=not-a-url', { body: i2v(sim) });
		expect(res.status).toBe(422);
		expect(res.json.detail[0]).toMatchObject({ type: 'url_parsing', loc: ['query', 'webhook'] });
		expect(sim.tasks()).toEqual([]);
	});

	it('applies faults to its routes with {detail} bodies', async () => {
		sim.faults.add({
			provider: 'muapi',
			path: '/predictions/',
			kind: 'rate_limit',
			retryAfter: 2,
			times: 1,
		});
		sim.faults.add({
			provider: 'muapi',
			path: '/muapi/api/v1/upload_file',
			kind: 'server_error',
			status: 503,
			times: 1,
		});
		sim.faults.add({
			provider: 'muapi',
			path: '/runway-act-two-i2v',
			kind: 'drop',
			when: 'after',
			times: 1,
		});
		const limited = await muapi(resultPath('any'));
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect(limited.json).toEqual({ detail: expect.any(String) });
		const up = await uploadFile(sim, 'me.png', CHARACTER, 'image/png');
		expect(up.status).toBe(503);
		expect(up.json).toEqual({ detail: 'Internal Server Error' });
		await expect(muapi('/runway-act-two-i2v', { body: i2v(sim) })).rejects.toThrow();
		expect(sim.tasks()).toHaveLength(1); // the dropped create still created a prediction
		const info = await call(sim.url + '/__sim/info');
		expect(info.json.baseUrls.muapi).toBe(sim.baseUrls.muapi);
		const outcome = await call(sim.url + '/__sim/outcomes', {
			body: { provider: 'muapi', outcome: 'no_credits' },
		});
		expect(outcome.status).toBe(204);
		expect((await muapi('/runway-act-two-i2v', { body: i2v(sim) })).status).toBe(402);
	});
});

describe('simulator: Muapi documented variants', () => {
	const run = async (
		opts: SimulatorOptions,
		outcome: 'error' | undefined,
		check: (create: any, done: Awaited<ReturnType<typeof call>>) => Promise<void> | void, // eslint-disable-line @typescript-eslint/no-explicit-any
	) => {
		const sim = await startSimulator({ timing: FAST, ...opts });
		try {
			if (outcome) sim.outcomes.next('muapi', outcome);
			const muapi = client(sim);
			const res = await muapi('/runway-act-two-i2v', { body: i2v(sim, { seed: 1 }) });
			if (res.status !== 200) {
				await check(res, res);
				return;
			}
			await check(res.json, await finished(muapi, res.json.request_id));
		} finally {
			await sim.close();
		}
	};

	it('legacy create answer {request_id} only', () =>
		run({ muapiCreateShape: 'legacy' }, undefined, (create) =>
			expect(create).toEqual({ request_id: expect.any(String) }),
		));

	it('a failed result wrapped in {detail: {...}} (FastAPI HTTPException)', () =>
		run({ muapiResultShape: 'detail' }, 'error', (create, done) => {
			expect(done.status).toBe(400);
			expect(done.json).toEqual({
				detail: expect.objectContaining({
					id: create.request_id,
					status: 'failed',
					error: expect.any(String),
				}),
			});
		}));

	it('a failed result on HTTP 200', () =>
		run({ muapiFailedHttpStatus: '200' }, 'error', (_create, done) => {
			expect(done.status).toBe(200);
			expect(done.json.status).toBe('failed');
		}));

	it('outputs as [{url}]', () =>
		run({ muapiOutputs: 'objects' }, undefined, async (_create, done) => {
			expect(done.json.outputs).toEqual([{ url: expect.stringContaining('/files/') }]);
			expect((await download(done.json.outputs[0].url)).bytes.equals(OUTPUT)).toBe(true);
		}));

	it('extra fields forbidden (422 extra_forbidden)', () =>
		run({ muapiExtraFields: 'forbid' }, undefined, (res) => {
			expect(res.status).toBe(422);
			expect(res.json.detail).toEqual([
				expect.objectContaining({
					type: 'extra_forbidden',
					loc: ['body', 'seed'],
					msg: 'Extra inputs are not permitted',
				}),
			]);
		}));
});
