import { type Simulator, startSimulator } from '../../simulator';
import {
	CHARACTER,
	DRIVING,
	FAST,
	MOV,
	TOO_SHORT,
	call,
	dataUri,
	download,
	provider,
	sleep,
	startsWithFtyp,
	waitFor,
} from './helpers';

describe('simulator: Runway official API', () => {
	let sim: Simulator;
	let runway: ReturnType<typeof provider>;
	const valid = () => ({
		model: 'act_two',
		character: { type: 'image', uri: dataUri('image/png', CHARACTER) },
		reference: { type: 'video', uri: dataUri('video/mp4', DRIVING) },
		ratio: '1280:720',
		bodyControl: true,
		expressionIntensity: 3,
		seed: 4294967295,
		contentModeration: { publicFigureThreshold: 'auto' },
	});
	const create = (body: unknown) => runway('/v1/character_performance', { body });

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST });
		runway = provider(sim, 'runway');
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	describe('auth and version header', () => {
		it('answers 401 for a missing or wrong key', async () => {
			const none = await call(sim.baseUrls.runway + '/v1/organization', {
				headers: { 'x-runway-version': '2024-11-06' },
			});
			expect(none.status).toBe(401);
			expect(typeof none.json.error).toBe('string');
			const wrong = await runway('/v1/organization', {
				headers: { authorization: 'Bearer key_wrong' },
			});
			expect(wrong.status).toBe(401);
		});

		it('answers 400 with Runway error body when X-Runway-Version is missing or wrong', async () => {
			const missing = await call(sim.baseUrls.runway + '/v1/organization', {
				headers: { authorization: 'Bearer ' + sim.keys.runway },
			});
			expect(missing.status).toBe(400);
			expect(missing.json.error).toMatch(/X-Runway-Version/);
			const wrong = await runway('/v1/organization', {
				headers: { 'x-runway-version': '2023-01-01' },
			});
			expect(wrong.status).toBe(400);
			expect(wrong.json.error).toMatch(/2024-11-06/);
		});

		it('serves GET /v1/organization for the credential test', async () => {
			const res = await runway('/v1/organization');
			expect(res.status).toBe(200);
			expect(res.json).toMatchObject({
				creditBalance: expect.any(Number),
				tier: { models: { act_two: { maxConcurrentGenerations: expect.any(Number) } } },
			});
		});
	});

	describe('body validation', () => {
		it.each([
			['model', { model: 'gen4_turbo' }, 'model'],
			['ratio', { ratio: '16:9' }, 'ratio'],
			['expressionIntensity > 5', { expressionIntensity: 6 }, 'expressionIntensity'],
			['expressionIntensity float', { expressionIntensity: 2.5 }, 'expressionIntensity'],
			['seed negative', { seed: -1 }, 'seed'],
			['seed > uint32', { seed: 4294967296 }, 'seed'],
			[
				'reference image',
				{ reference: { type: 'image', uri: 'https://example.com/a.png' } },
				'reference',
			],
			['character missing', { character: undefined }, 'character'],
			[
				'publicFigureThreshold',
				{ contentModeration: { publicFigureThreshold: 'high' } },
				'contentModeration',
			],
			['bodyControl', { bodyControl: 'yes' }, 'bodyControl'],
		])('rejects a bad %s with 400 {error, issues}', async (_n, patch, path) => {
			const res = await create({ ...valid(), ...patch });
			expect(res.status).toBe(400);
			expect(typeof res.json.error).toBe('string');
			expect(res.json.issues[0].path[0]).toBe(path);
			expect(sim.tasks()).toHaveLength(0);
		});

		it('rejects an unparseable body', async () => {
			const res = await runway('/v1/character_performance', {
				raw: '{"model":',
				headers: { 'content-type': 'application/json' },
			});
			expect(res.status).toBe(400);
			expect(res.json.error).toMatch(/JSON/);
		});

		it('accepts a minimal body (ratio and options are optional)', async () => {
			const res = await create({
				model: 'act_two',
				character: { type: 'image', uri: 'https://cdn.example.com/c.png' },
				reference: { type: 'video', uri: 'https://cdn.example.com/r.mp4' },
			});
			expect(res.status).toBe(200);
			// An https reference the simulator cannot read is estimated at the 30 s maximum: 5 credits × 30.
			expect(res.json).toEqual({
				id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				estimatedCost: { credits: 150 },
			});
		});
	});

	describe('uri forms', () => {
		const withUris = (character: string, reference: string, characterType = 'image') =>
			create({
				...valid(),
				character: { type: characterType, uri: character },
				reference: { type: 'video', uri: reference },
			});

		it('rejects plain http on a public host and https on an IP address', async () => {
			expect(
				(await withUris('http://example.com/c.png', 'https://cdn.example.com/r.mp4')).status,
			).toBe(400);
			expect(
				(await withUris('https://203.0.113.5/c.png', 'https://cdn.example.com/r.mp4')).status,
			).toBe(400);
		});

		it('accepts loopback http URLs it can fetch, with a media Content-Type (documented deviation)', async () => {
			const ok = await withUris(sim.staticUrl('character.png'), sim.staticUrl('driving.mp4'));
			expect(ok.status).toBe(200);
			const missing = await withUris(sim.staticUrl('nope.png'), sim.staticUrl('driving.mp4'));
			expect(missing.status).toBe(400);
			expect(missing.json.error).toMatch(/character\.uri.*404/);
			const wrongType = await withUris(sim.staticUrl('driving.mp4'), sim.staticUrl('driving.mp4'));
			expect(wrongType.status).toBe(400);
		});

		it('checks data URIs: base64, content type family, size caps', async () => {
			expect((await withUris('data:image/png,abc', dataUri('video/mp4', DRIVING))).status).toBe(
				400,
			);
			expect(
				(await withUris(dataUri('video/mp4', DRIVING), dataUri('video/mp4', DRIVING))).status,
			).toBe(400);
			const big = Buffer.alloc(5 * 1024 * 1024 + 10, 1);
			const res = await withUris(dataUri('image/png', big), dataUri('video/mp4', DRIVING));
			expect(res.status).toBe(400);
			expect(res.json.error).toMatch(/5 MB/);
		});

		it('limits data URIs to 5 MB as sent, video included, with a 400 naming the field', async () => {
			/** The driving video padded with a `free` box so that its data URI is exactly `chars` long. */
			const videoUri = (chars: number) => {
				const prefix = 'data:video/mp4;base64,';
				const bytes = ((chars - prefix.length) / 4) * 3;
				const ftypEnd = DRIVING.readUInt32BE(0);
				const free = Buffer.alloc(bytes - DRIVING.length);
				free.writeUInt32BE(free.length, 0);
				free.write('free', 4, 'latin1');
				const uri = dataUri(
					'video/mp4',
					Buffer.concat([DRIVING.subarray(0, ftypEnd), free, DRIVING.subarray(ftypEnd)]),
				);
				expect(uri.length).toBe(chars);
				return uri;
			};
			const character = dataUri('image/png', CHARACTER);
			const over = await withUris(character, videoUri(5_000_002));
			expect(over.status).toBe(400);
			expect(over.json).toEqual({
				error: expect.stringMatching(/^reference\.uri: .*limited to 5 MB.*\/v1\/uploads/),
				docUrl: expect.stringMatching(/^https:\/\/docs\.dev\.runwayml\.com\//),
			});
			expect((await withUris(character, videoUri(4_999_998))).status).toBe(200);
			const image = await withUris(
				dataUri('image/png', Buffer.alloc(3_750_000, 1)),
				dataUri('video/mp4', DRIVING),
			);
			expect(image.status).toBe(400);
			expect(image.json.error).toMatch(/^character\.uri: .*5 MB/);
		});

		it('reads the reference duration (3-30 s) of MP4 and MOV data URIs', async () => {
			const short = await withUris(
				dataUri('image/png', CHARACTER),
				dataUri('video/mp4', TOO_SHORT),
			);
			expect(short.status).toBe(400);
			expect(short.json.error).toMatch(/3 and 30 seconds/);
			expect(
				(await withUris(dataUri('image/png', CHARACTER), dataUri('video/quicktime', MOV))).status,
			).toBe(200);
			const garbage = await withUris(
				dataUri('image/png', CHARACTER),
				dataUri('video/mp4', Buffer.from('not a video at all')),
			);
			expect(garbage.status).toBe(400);
		});

		it('rejects a runway:// URI it never issued', async () => {
			const res = await withUris('runway://ephemeral/unknown', dataUri('video/mp4', DRIVING));
			expect(res.status).toBe(400);
		});
	});

	describe('task lifecycle', () => {
		it('goes PENDING -> RUNNING with progress -> SUCCEEDED with a downloadable MP4', async () => {
			const { json } = await create(valid());
			const seen = new Set<string>();
			const progress: number[] = [];
			const done = await waitFor(
				async () => {
					const t = (await runway('/v1/tasks/' + json.id)).json;
					seen.add(t.status);
					if (t.status === 'RUNNING') progress.push(t.progress);
					return t.status === 'SUCCEEDED' ? t : undefined;
				},
				5000,
				20,
			);
			expect([...seen]).toEqual(expect.arrayContaining(['PENDING', 'RUNNING', 'SUCCEEDED']));
			expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
			expect(done).toMatchObject({
				id: json.id,
				createdAt: expect.any(String),
				output: [expect.stringContaining('/files/')],
			});
			const file = await download(done.output[0]);
			expect(file.status).toBe(200);
			expect(file.headers.get('content-type')).toBe('video/mp4');
			expect(Number(file.headers.get('content-length'))).toBe(file.bytes.length);
			expect(startsWithFtyp(file.bytes)).toBe(true);
			const head = await fetch(done.output[0], { method: 'HEAD' });
			expect(head.headers.get('content-length')).toBe(String(file.bytes.length));
			const range = await download(done.output[0], { range: 'bytes=0-7' });
			expect(range.status).toBe(206);
			expect(range.bytes.length).toBe(8);
			expect(range.headers.get('content-range')).toBe('bytes 0-7/' + file.bytes.length);
		});

		it('passes through THROTTLED when the timing has a throttled phase', async () => {
			const s2 = await startSimulator({
				timing: { queuedMs: 20, throttledMs: 300, runningMs: 100, progressSteps: 1 },
			});
			try {
				const rw = provider(s2, 'runway');
				const { json } = await rw('/v1/character_performance', { body: valid() });
				await waitFor(
					async () =>
						(await rw('/v1/tasks/' + json.id)).json.status === 'THROTTLED' ? true : undefined,
					2000,
					20,
				);
			} finally {
				await s2.close();
			}
		});

		it('holds tasks over the org concurrency in THROTTLED until a slot frees (runwayConcurrency)', async () => {
			const s2 = await startSimulator({
				timing: { queuedMs: 20, throttledMs: 0, runningMs: 300, progressSteps: 1 },
				runwayConcurrency: 1,
			});
			try {
				const rw = provider(s2, 'runway');
				const a = (await rw('/v1/character_performance', { body: valid() })).json.id;
				const b = (await rw('/v1/character_performance', { body: valid() })).json.id;
				await sleep(100);
				expect((await rw('/v1/tasks/' + a)).json.status).toBe('RUNNING');
				expect((await rw('/v1/tasks/' + b)).json.status).toBe('THROTTLED');
				expect(
					(await rw('/v1/organization')).json.tier.models.act_two.maxConcurrentGenerations,
				).toBe(1);
				await waitFor(async () =>
					(await rw('/v1/tasks/' + b)).json.status === 'SUCCEEDED' ? true : undefined,
				);
				expect((await rw('/v1/tasks/' + a)).json.status).toBe('SUCCEEDED');
			} finally {
				await s2.close();
			}
		});

		it('fails with SAFETY.INPUT.IMAGE on moderation and INTERNAL.BAD_OUTPUT on error', async () => {
			sim.outcomes.next('runway', 'moderation');
			sim.outcomes.next('runway', 'error');
			const a = (await create(valid())).json.id;
			const b = (await create(valid())).json.id;
			const ta = await waitFor(async () =>
				(await runway('/v1/tasks/' + a)).json.status === 'FAILED'
					? (await runway('/v1/tasks/' + a)).json
					: undefined,
			);
			expect(ta).toMatchObject({
				status: 'FAILED',
				failureCode: 'SAFETY.INPUT.IMAGE',
				failure: expect.any(String),
			});
			const tb = await waitFor(async () =>
				(await runway('/v1/tasks/' + b)).json.status === 'FAILED'
					? (await runway('/v1/tasks/' + b)).json
					: undefined,
			);
			expect(tb.failureCode).toMatch(/^INTERNAL\.BAD_OUTPUT\./);
			expect(tb.output).toBeUndefined();
		});

		it('rejects the create when out of credits', async () => {
			sim.outcomes.next('runway', 'no_credits');
			const res = await create(valid());
			expect(res.status).toBe(400);
			expect(res.json.error).toMatch(/credits/);
			expect(sim.tasks()).toHaveLength(0);
			expect((await create(valid())).status).toBe(200);
		});

		it('cancels a running task (CANCELLED) and deletes a finished one (404)', async () => {
			sim.outcomes.next('runway', 'stuck');
			const id = (await create(valid())).json.id;
			const del = await runway('/v1/tasks/' + id, { method: 'DELETE' });
			expect(del.status).toBe(204);
			expect(del.text).toBe('');
			expect((await runway('/v1/tasks/' + id)).json.status).toBe('CANCELLED');
			await runway('/v1/tasks/' + id, { method: 'DELETE' });
			expect((await runway('/v1/tasks/' + id)).status).toBe(404);
			expect((await runway('/v1/tasks/00000000-0000-0000-0000-000000000000')).status).toBe(404);
		});

		it('does not serve output files of unfinished or unknown tasks', async () => {
			expect((await download(sim.url + '/files/unknown.mp4')).status).toBe(404);
		});
	});

	describe('ephemeral uploads', () => {
		async function upload(bytes: Buffer, filename: string, tamper = false) {
			const res = await runway('/v1/uploads', { body: { filename, type: 'ephemeral' } });
			expect(res.status).toBe(200);
			expect(res.json).toEqual({
				uploadUrl: expect.stringMatching(/^http:/),
				fields: expect.any(Object),
				runwayUri: expect.stringMatching(/^runway:\/\//),
			});
			const form = new FormData();
			for (const [k, v] of Object.entries(res.json.fields as Record<string, string>))
				form.append(k, tamper && k === 'key' ? v + 'x' : v);
			form.append('file', new Blob([new Uint8Array(bytes)]), filename);
			const post = await fetch(res.json.uploadUrl, { method: 'POST', body: form });
			return { runwayUri: res.json.runwayUri as string, status: post.status };
		}

		it('accepts the presigned multipart POST without auth and the runway:// URI in a create', async () => {
			const ref = await upload(DRIVING, 'driving.mp4');
			const chr = await upload(CHARACTER, 'character.png');
			expect(ref.status).toBe(204);
			const res = await create({
				...valid(),
				character: { type: 'image', uri: chr.runwayUri },
				reference: { type: 'video', uri: ref.runwayUri },
			});
			expect(res.status).toBe(200);
			const req = sim.requests().find((r) => r.path.startsWith('/runway-storage/'));
			expect(req?.headers.authorization).toBeUndefined();
		});

		it('refuses a presigned POST sent without a Content-Length (chunked), as S3 does', async () => {
			const res = await runway('/v1/uploads', { body: { filename: 'd.mp4', type: 'ephemeral' } });
			const form = new FormData();
			for (const [k, v] of Object.entries(res.json.fields as Record<string, string>))
				form.append(k, v);
			form.append('file', new Blob([new Uint8Array(DRIVING)]), 'd.mp4');
			const whole = new Response(form);
			const post = await fetch(res.json.uploadUrl, {
				method: 'POST',
				headers: { 'content-type': whole.headers.get('content-type')! },
				body: whole.body,
				duplex: 'half',
			} as RequestInit);
			expect(post.status).toBe(411);
			expect(await post.text()).toContain('<Code>MissingContentLength</Code>');
			const stored = sim.requests().find((r) => r.path.startsWith('/runway-storage/'));
			expect(stored?.headers['transfer-encoding']).toBe('chunked');
		});

		it('checks the duration of an uploaded reference', async () => {
			const ref = await upload(TOO_SHORT, 'short.mp4');
			const res = await create({ ...valid(), reference: { type: 'video', uri: ref.runwayUri } });
			expect(res.status).toBe(400);
			expect(res.json.error).toMatch(/3 and 30/);
		});

		it('rejects tampered policy fields, tiny files and a bad upload request', async () => {
			expect((await upload(DRIVING, 'driving.mp4', true)).status).toBe(403);
			expect((await upload(Buffer.alloc(100, 1), 'tiny.png')).status).toBe(400);
			expect(
				(await runway('/v1/uploads', { body: { filename: 'a.mp4', type: 'permanent' } })).status,
			).toBe(400);
			const unfinished = (
				await runway('/v1/uploads', { body: { filename: 'a.mp4', type: 'ephemeral' } })
			).json.runwayUri;
			expect(
				(await create({ ...valid(), reference: { type: 'video', uri: unfinished } })).status,
			).toBe(400);
		});
	});
});
