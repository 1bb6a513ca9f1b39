import { type Simulator, type SimulatorOptions, startSimulator } from '../../simulator';
import {
	CHARACTER,
	FAST,
	OUTPUT,
	call,
	dataUri,
	download,
	sleep,
	startsWithFtyp,
	waitFor,
} from './helpers';

jest.setTimeout(20000);

const NO_CREDITS =
	"You've run out of credits. Please top up your balance or update your payment method to continue: https://aimlapi.com/app/billing/";

/** A client of the simulated AIML API (Bearer key, JSON bodies). */
function client(sim: Simulator, key = sim.keys.aiml) {
	return (path: string, init: Parameters<typeof call>[1] = {}) =>
		call(sim.baseUrls.aiml + path, {
			...init,
			headers: { authorization: 'Bearer ' + key, ...(init.headers ?? {}) },
		});
}

const body = (sim: Simulator, extra: Record<string, unknown> = {}) => ({
	model: 'runway/act_two',
	character: { type: 'image', url: sim.staticUrl('character.png') },
	reference: { type: 'video', url: sim.staticUrl('driving.mp4') },
	frame_size: '1280:720',
	body_control: true,
	expression_intensity: 3,
	seed: 42,
	...extra,
});

async function finished(aiml: ReturnType<typeof client>, id: string, seen: string[] = []) {
	return waitFor(async () => {
		const res = await aiml('/v2/video/generations?generation_id=' + encodeURIComponent(id));
		const s = res.json?.status as string;
		if (seen[seen.length - 1] !== s) seen.push(s);
		return ['queued', 'generating'].includes(s) ? undefined : res;
	});
}

describe('simulator: AIML API', () => {
	let sim: Simulator;
	let aiml: ReturnType<typeof client>;

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST });
		aiml = client(sim);
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	it('rejects a missing or wrong key with 401 in the general error shape; GET /v2/billing is the credential test', async () => {
		const variants: Array<Record<string, string>> = [
			{},
			{ authorization: 'Bearer nope' },
			{ 'x-api-key': sim.keys.aiml },
		];
		for (const headers of variants) {
			const res = await call(sim.baseUrls.aiml + '/v2/billing', { headers });
			expect(res.status).toBe(401);
			expect(res.json).toEqual({
				message: expect.stringContaining('This request requires a valid API key'),
				path: '/aiml/v2/billing',
				requestId: expect.any(String),
				statusCode: '401',
				timestamp: expect.any(String),
			});
		}
		const ok = await aiml('/v2/billing');
		expect(ok.status).toBe(200);
		expect(ok.json).toEqual({ current_balance: 100, currency: 'USD' });
		expect(JSON.stringify(sim.requests())).not.toContain(sim.keys.aiml);
	});

	it('creates {id, status:"queued"}, polls queued -> generating -> completed with video:[url], and serves the MP4', async () => {
		const res = await aiml('/v2/video/generations', {
			body: body(sim),
			headers: { 'x-client-request-id': 'run-1.a:b_c' },
		});
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'queued' });
		expect(res.headers.get('x-inference-id')).toBe(res.json.id);
		expect(res.headers.get('x-client-request-id')).toBe('run-1.a:b_c');
		const seen: string[] = [];
		const done = await finished(aiml, res.json.id, seen);
		expect(seen).toEqual(['queued', 'generating', 'completed']);
		expect(done.json).toEqual({
			id: res.json.id,
			status: 'completed',
			video: [expect.stringContaining('/files/')],
			error: null,
		});
		expect(done.headers.get('x-inference-id')).toBe(res.json.id);
		expect(Number(done.headers.get('x-aimlapi-credits-used'))).toBeGreaterThan(0);
		const file = await download(done.json.video[0]);
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('video/mp4');
		expect(startsWithFtyp(file.bytes)).toBe(true);
		expect(file.bytes.equals(OUTPUT)).toBe(true);
		const billing = await aiml('/v2/billing');
		expect(billing.json.current_balance).toBeLessThan(100);
		expect(sim.tasks()[0].input).toMatchObject({ frame_size: '1280:720', seed: 42 });
		expect(sim.callbacks()).toEqual([]);
	});

	it('serves the legacy vendor path for create and poll, and drops a malformed X-Client-Request-Id', async () => {
		const res = await aiml('/v2/generate/video/runway/generation', {
			body: body(sim, { character: { type: 'video', url: sim.staticUrl('driving.mp4') } }),
			headers: { 'x-client-request-id': 'has spaces!' },
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('x-client-request-id')).toBeNull();
		const poll = await aiml('/v2/generate/video/runway/generation?generation_id=' + res.json.id);
		expect(poll.json).toMatchObject({ id: res.json.id, status: expect.any(String) });
	});

	it('answers 400 "Body validation error!" with every issue, and no task is created', async () => {
		const res = await aiml('/v2/video/generations', {
			body: {
				model: 'act_two',
				character: { type: 'image', uri: sim.staticUrl('character.png') },
				reference: { type: 'image', url: 'not a url' },
				frame_size: '16:9',
				body_control: 'yes',
				expression_intensity: 6,
				seed: -1,
			},
		});
		expect(res.status).toBe(400);
		expect(res.json).toMatchObject({ statusCode: '400', path: '/aiml/v2/video/generations' });
		const msg = res.json.message as string;
		expect(msg.startsWith('Body validation error! ')).toBe(true);
		for (const part of [
			"model: Invalid enum value. Expected 'runway/act_two', received 'act_two'",
			'character.url: Required',
			"reference.type: Invalid discriminator value. Expected 'video'",
			'reference.url: Invalid url',
			"frame_size: Invalid enum value. Expected '1280:720'",
			'body_control: Expected boolean, received string',
			'expression_intensity: Number must be less than or equal to 5',
			'seed: Number must be greater than or equal to 0',
		])
			expect(msg).toContain(part);
		const bad = await aiml('/v2/video/generations', {
			raw: '{"model":',
			headers: { 'content-type': 'application/json' },
		});
		expect(bad.status).toBe(400);
		expect(bad.json.message).toMatch(/^Body validation error! Invalid JSON/);
		expect(sim.tasks()).toEqual([]);
	});

	it('accepts the whole frame_size enum (also 848:480 and 640:480) and the seed range ends', async () => {
		for (const [frame_size, seed] of [
			['848:480', 0],
			['640:480', 4294967295],
			['1584:672', 7],
		] as const) {
			const res = await aiml('/v2/video/generations', { body: body(sim, { frame_size, seed }) });
			expect(res.status).toBe(200);
		}
		const over = await aiml('/v2/video/generations', { body: body(sim, { seed: 4294967296 }) });
		expect(over.json.message).toContain('seed: Number must be less than or equal to 4294967295');
	});

	it('rejects data URIs, unreachable or wrong-type loopback URLs and a reference outside 3-30 s', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[
				{ character: { type: 'image', url: dataUri('image/png', CHARACTER) } },
				/^character\.url: Data URIs are not supported/,
			],
			[
				{ character: { type: 'image', url: sim.staticUrl('driving.mp4') } },
				/^character\.url: .*Content-Type video\/mp4 for image/,
			],
			[
				{ reference: { type: 'video', url: sim.staticUrl('too-short.mp4') } },
				/^reference\.url: The reference video must be between 3 and 30 seconds/,
			],
			[
				{ reference: { type: 'video', url: sim.staticUrl('missing.mp4') } },
				/^reference\.url: Failed to fetch asset: HTTP 404/,
			],
		];
		for (const [extra, message] of cases) {
			const res = await aiml('/v2/video/generations', { body: body(sim, extra) });
			expect(res.status).toBe(400);
			expect(res.json.message).toMatch(message);
		}
		expect(sim.tasks()).toEqual([]);
	});

	it.each([
		[
			'moderation',
			{ name: 'SAFETY.INPUT.IMAGE', message: expect.stringMatching(/content moderation/) },
		],
		['no_face', { name: 'ASSET.INVALID', message: expect.stringMatching(/No face/) }],
		['error', { name: 'INTERNAL.BAD_OUTPUT.CODE01', message: expect.any(String) }],
	] as const)(
		'outcome %s ends with status "error" and a documented {name, message} error',
		async (outcome, error) => {
			sim.outcomes.next('aiml', outcome);
			const res = await aiml('/v2/video/generations', { body: body(sim) });
			const done = await finished(aiml, res.json.id);
			expect(done.status).toBe(200);
			expect(done.json).toEqual({ id: res.json.id, status: 'error', video: null, error });
			expect(done.headers.get('x-aimlapi-credits-used')).toBeNull();
			expect((await aiml('/v2/billing')).json.current_balance).toBe(100);
		},
	);

	it('a stuck generation stays "generating"; no_credits answers 403 with the documented message and creates nothing', async () => {
		sim.outcomes.next('aiml', 'stuck');
		const stuck = await aiml('/v2/video/generations', { body: body(sim) });
		await sleep(FAST.queuedMs + FAST.runningMs + 300);
		const poll = await aiml('/v2/video/generations?generation_id=' + stuck.json.id);
		expect(poll.json.status).toBe('generating');

		sim.outcomes.next('aiml', 'no_credits');
		const res = await aiml('/v2/video/generations', { body: body(sim) });
		expect(res.status).toBe(403);
		expect(res.json).toMatchObject({ message: NO_CREDITS, statusCode: '403' });
		expect(sim.tasks()).toHaveLength(1);
	});

	it('answers 404 for an unknown generation, 400 without generation_id, 404/405 for other paths (no cancel, no upload)', async () => {
		const unknown = await aiml('/v2/video/generations?generation_id=nope-123');
		expect(unknown.status).toBe(404);
		expect(unknown.json).toMatchObject({ statusCode: '404', message: expect.any(String) });
		expect(unknown.headers.get('x-inference-id')).toBe('nope-123');
		const malformed = await aiml(
			'/v2/video/generations?generation_id=' + encodeURIComponent('a b/c'),
		);
		expect(malformed.status).toBe(404);
		expect(malformed.headers.get('x-inference-id')).toBeNull();
		const missing = await aiml('/v2/video/generations');
		expect(missing.status).toBe(400);
		expect(missing.json.message).toContain('generation_id');
		const del = await aiml('/v2/video/generations', { method: 'DELETE' });
		expect(del.status).toBe(405);
		const upload = await aiml('/v1/files', { body: {} });
		expect(upload.status).toBe(404);
		expect(upload.json).toMatchObject({ statusCode: '404', path: '/aiml/v1/files' });
	});

	it('applies faults to its routes with its own error bodies', async () => {
		sim.faults.add({
			provider: 'aiml',
			path: '/v2/video/generations',
			method: 'GET',
			kind: 'rate_limit',
			retryAfter: 3,
			times: 1,
		});
		sim.faults.add({
			provider: 'aiml',
			path: '/v2/video/generations',
			method: 'POST',
			kind: 'server_error',
			status: 504,
			times: 1,
		});
		sim.faults.add({
			provider: 'aiml',
			path: '/v2/video/generations',
			method: 'POST',
			kind: 'drop',
			when: 'after',
			times: 1,
		});
		const limited = await aiml('/v2/video/generations?generation_id=x');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		expect(limited.json).toMatchObject({ message: 'Too Many Requests', statusCode: '429' });
		const timeout = await aiml('/v2/video/generations', { body: body(sim) });
		expect(timeout.status).toBe(504);
		expect(timeout.json).toMatchObject({ message: 'Generation timeout', statusCode: '504' });
		expect(sim.tasks()).toHaveLength(0);
		await expect(aiml('/v2/video/generations', { body: body(sim) })).rejects.toThrow();
		expect(sim.tasks()).toHaveLength(1); // the dropped create still created a generation (no idempotency)
		const info = await call(sim.url + '/__sim/info');
		expect(info.json.baseUrls.aiml).toBe(sim.baseUrls.aiml);
		expect(info.json.keys.aiml).toBe(sim.keys.aiml);
	});
});

describe('simulator: AIML API documented variants', () => {
	/** Runs one generation on a simulator with these options; check() runs while it is still up. */
	const run = async (
		opts: SimulatorOptions,
		outcome: 'error' | 'no_face' | undefined,
		check: (json: any) => Promise<void> | void, // eslint-disable-line @typescript-eslint/no-explicit-any
	) => {
		const sim = await startSimulator({ timing: FAST, ...opts });
		try {
			if (outcome) sim.outcomes.next('aiml', outcome);
			const aiml = client(sim);
			const res = await aiml('/v2/video/generations', { body: body(sim) });
			await check((await finished(aiml, res.json.id)).json);
		} finally {
			await sim.close();
		}
	};

	it.each([
		['object', (url: string) => ({ url })],
		['objects', (url: string) => [{ url }]],
		['string', (url: string) => url],
	] as const)('video shape %s', (shape, expected) =>
		run({ aimlVideoShape: shape }, undefined, async (json) => {
			const url =
				shape === 'object' ? json.video.url : shape === 'objects' ? json.video[0].url : json.video;
			expect(json.video).toEqual(expected(url));
			expect((await download(url)).bytes.equals(OUTPUT)).toBe(true);
			if (shape === 'object')
				expect(json.meta).toEqual({ usage: { credits_used: expect.any(Number) } });
			else expect(json).not.toHaveProperty('meta');
		}),
	);

	it('terminal "succeeded" instead of "completed"', () =>
		run({ aimlCompletedStatus: 'succeeded' }, undefined, (json) =>
			expect(json.status).toBe('succeeded'),
		));

	it('error as the legacy string', () =>
		run({ aimlErrorShape: 'string' }, 'error', (json) =>
			expect(json).toMatchObject({ status: 'error', video: null, error: expect.any(String) }),
		));

	it('error as the recorded {detail:[{loc,msg,type}]} shape', () =>
		run({ aimlErrorShape: 'detail' }, 'no_face', (json) => {
			expect(json).toMatchObject({ status: 'error', video: null });
			expect(json.error).toEqual({
				detail: [
					{
						loc: ['body', 'character', 'url'],
						msg: 'Could not detect face in the image',
						type: 'face_detection_error',
						input: expect.stringContaining('/static/character.png'),
					},
				],
			});
		}));
});
