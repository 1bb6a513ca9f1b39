/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { type Simulator, startSimulator, USEAPI_EMAIL } from '../../simulator';
import {
	CHARACTER,
	DRIVING,
	FAST,
	MOV,
	TOO_SHORT,
	call,
	download,
	provider,
	receiver,
	startsWithFtyp,
	waitFor,
} from './helpers';

jest.setTimeout(20000);

describe('simulator: useapi.net', () => {
	let sim: Simulator;
	let useapi: ReturnType<typeof provider>;

	const upload = async (bytes: Buffer, contentType: string, name = 'clip') =>
		useapi('/assets/?name=' + encodeURIComponent(name), {
			raw: bytes,
			headers: { 'content-type': contentType },
		});

	async function assets() {
		const d = await upload(DRIVING, 'video/mp4', 'driving');
		const c = await upload(CHARACTER, 'image/png', 'character');
		return {
			driving_assetId: d.json.assetId as string,
			character_assetId: c.json.assetId as string,
		};
	}

	const getTask = async (taskId: string, encode = false) =>
		useapi('/tasks/' + (encode ? encodeURIComponent(taskId) : taskId));

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST, callbackRetry: { attempts: 3, baseDelayMs: 50 } });
		useapi = provider(sim, 'useapi');
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	it('answers 401 {error:"Unauthorized", code:401} for a bad token and serves GET /accounts', async () => {
		const bad = await call(sim.baseUrls.useapi + '/accounts', {
			headers: { authorization: 'Bearer user:1-nope' },
		});
		expect(bad.status).toBe(401);
		expect(bad.json).toEqual({ error: 'Unauthorized', code: 401 });
		const ok = await useapi('/accounts');
		expect(ok.status).toBe(200);
		expect(ok.json[USEAPI_EMAIL]).toMatchObject({
			email: USEAPI_EMAIL,
			maxJobs: expect.any(Number),
		});
	});

	describe('POST /assets (raw binary)', () => {
		it('returns an asset object with a user:<uid>-runwayml:<email>-asset:<uuid> id and reads video duration', async () => {
			const res = await upload(DRIVING, 'video/mp4', 'driving');
			expect(res.status).toBe(200);
			expect(res.json).toMatchObject({
				assetId: expect.stringMatching(
					/^user:4242-runwayml:sim-runway@example\.com-asset:[0-9a-f-]{36}$/,
				),
				name: 'driving',
				type: { name: 'video', type: 'video' },
				size: DRIVING.length,
				metadata: { duration: 5 },
			});
			const mov = await upload(MOV, 'video/quicktime', 'mov');
			expect(mov.json.metadata.duration).toBeCloseTo(4, 1);
			const asset = await useapi('/assets/' + res.json.assetId);
			expect(asset.json.assetId).toBe(res.json.assetId);
			expect((await useapi('/assets/' + encodeURIComponent(res.json.assetId))).status).toBe(200);
			const bytes = await download(asset.json.url);
			expect(bytes.bytes.equals(DRIVING)).toBe(true);
		});

		it('enforces the Content-Type whitelist, the name parameter and a non-empty body', async () => {
			expect((await upload(CHARACTER, 'image/webp')).status).toBe(400);
			expect((await upload(CHARACTER, 'application/octet-stream')).status).toBe(400);
			expect((await upload(CHARACTER, 'image/jpeg')).status).toBe(200);
			expect((await upload(CHARACTER, 'video/MP2T')).status).toBe(200);
			const noName = await useapi('/assets/', {
				raw: CHARACTER,
				headers: { 'content-type': 'image/png' },
			});
			expect(noName.status).toBe(400);
			expect(noName.json.code).toBe(400);
			expect((await upload(Buffer.alloc(0), 'image/png')).status).toBe(400);
		});

		it('answers 404 for an unknown asset', async () => {
			const res = await useapi(
				'/assets/user:4242-runwayml:' +
					USEAPI_EMAIL +
					'-asset:00000000-0000-0000-0000-000000000000',
			);
			expect(res.status).toBe(404);
		});
	});

	describe('POST /gen4/act-two', () => {
		it('answers 200 {task:{..., taskId, status:"PENDING", code:200}} like the docs', async () => {
			const ids = await assets();
			const res = await useapi('/gen4/act-two', {
				body: {
					...ids,
					aspect_ratio: '9:16',
					expression_intensity: 1,
					seed: 12345,
					replyRef: 'ref-1',
				},
			});
			expect(res.status).toBe(200);
			expect(res.json.task).toMatchObject({
				id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				name: 'Act-Two driving_character',
				taskType: 'act_two',
				status: 'PENDING',
				error: null,
				progressRatio: '0',
				artifacts: [],
				taskId: expect.stringMatching(
					/^user:4242-runwayml:sim-runway@example\.com-task:[0-9a-f-]{36}$/,
				),
				code: 200,
				options: {
					width: 720,
					height: 1280,
					seed: 12345,
					expression_intensity: 1,
					body_control: true,
					seconds: 5,
				},
			});
		});

		it.each([
			['aspect_ratio', { aspect_ratio: '1280:720' }],
			['expression_intensity', { expression_intensity: 6 }],
			['seed 0', { seed: 0 }],
			['seed too big', { seed: 2147483648 }],
			['maxJobs', { maxJobs: 11 }],
			['replyUrl length', { replyUrl: 'https://example.com/' + 'x'.repeat(1024) }],
			['replyRef length', { replyRef: 'x'.repeat(1025) }],
			['body_control', { body_control: 'yes' }],
			['missing driving', { driving_assetId: undefined }],
		])('answers 400 {error, code:400} for a bad %s', async (_n, patch) => {
			const ids = await assets();
			const res = await useapi('/gen4/act-two', { body: { ...ids, ...patch } });
			expect(res.status).toBe(400);
			expect(res.json).toEqual({ error: expect.any(String), code: 400 });
		});

		it('answers 404 "Unable to retrieve assetId" for unknown assets', async () => {
			const ids = await assets();
			const res = await useapi('/gen4/act-two', {
				body: {
					...ids,
					character_assetId:
						'user:4242-runwayml:' + USEAPI_EMAIL + '-asset:11111111-2222-3333-4444-555555555555',
				},
			});
			expect(res.status).toBe(404);
			expect(res.json).toEqual({
				error: 'Unable to retrieve assetId 11111111-2222-3333-4444-555555555555 (Not found.)',
				code: 404,
			});
		});

		it('rejects a driving video shorter than 3 s and an image as driving asset', async () => {
			const ids = await assets();
			const short = (await upload(TOO_SHORT, 'video/mp4', 'short')).json.assetId;
			expect(
				(await useapi('/gen4/act-two', { body: { ...ids, driving_assetId: short } })).status,
			).toBe(400);
			expect(
				(
					await useapi('/gen4/act-two', {
						body: { ...ids, driving_assetId: ids.character_assetId },
					})
				).status,
			).toBe(400);
		});

		it('accepts multipart/form-data too', async () => {
			const ids = await assets();
			const form = new FormData();
			form.append('driving_assetId', ids.driving_assetId);
			form.append('character_assetId', ids.character_assetId);
			form.append('expression_intensity', '4');
			form.append('body_control', 'false');
			const res = await fetch(sim.baseUrls.useapi + '/gen4/act-two', {
				method: 'POST',
				body: form,
				headers: { authorization: 'Bearer ' + sim.keys.useapi },
			});
			expect(res.status).toBe(200);
			const json = (await res.json()) as { task: { options: Record<string, unknown> } };
			expect(json.task.options).toMatchObject({ expression_intensity: 4, body_control: false });
		});

		it('answers 412 without credits and 429 with the busy body when maxJobs tasks run', async () => {
			const ids = await assets();
			sim.outcomes.next('useapi', 'no_credits');
			const broke = await useapi('/gen4/act-two', { body: ids });
			expect(broke.status).toBe(412);
			expect(broke.json.error).toMatch(/not have enough credits/);
			sim.outcomes.next('useapi', 'stuck', 2);
			const first = await useapi('/gen4/act-two', { body: { ...ids, maxJobs: 2, replyRef: 'a' } });
			await useapi('/gen4/act-two', { body: { ...ids, maxJobs: 2 } });
			const busy = await useapi('/gen4/act-two', { body: { ...ids, maxJobs: 2 } });
			expect(busy.status).toBe(429);
			expect(busy.json).toMatchObject({
				error: 'Account ' + USEAPI_EMAIL + ' is busy executing 2 tasks',
				runningTasks: {
					[USEAPI_EMAIL]: [
						{ email: USEAPI_EMAIL, taskId: first.json.task.taskId, replyRef: 'a' },
						expect.any(Object),
					],
				},
				code: 429,
			});
		});
	});

	describe('GET /tasks/{taskId}', () => {
		it('accepts raw and URL-encoded colon task ids and reaches SUCCEEDED with artifacts[0].url', async () => {
			const ids = await assets();
			const { taskId } = (await useapi('/gen4/act-two', { body: ids })).json.task;
			const running = await waitFor(
				async () => {
					const t = (await getTask(taskId)).json;
					return t.status === 'RUNNING' ? t : undefined;
				},
				3000,
				20,
			);
			expect(typeof running.progressRatio).toBe('string');
			const done = await waitFor(async () => {
				const t = (await getTask(taskId, true)).json;
				return t.status === 'SUCCEEDED' ? t : undefined;
			});
			expect(done).toMatchObject({ taskId, status: 'SUCCEEDED', progressRatio: '1', error: null });
			const file = await download(done.artifacts[0].url);
			expect(startsWithFtyp(file.bytes)).toBe(true);
			expect(Number(done.artifacts[0].fileSize)).toBe(file.bytes.length);
		});

		it('fails a moderated task with the error object of the task model', async () => {
			const ids = await assets();
			sim.outcomes.next('useapi', 'moderation');
			const { taskId } = (await useapi('/gen4/act-two', { body: ids })).json.task;
			const t = await waitFor(async () => {
				const x = (await getTask(taskId)).json;
				return x.status === 'FAILED' ? x : undefined;
			});
			expect(t.error).toMatchObject({
				errorMessage: expect.any(String),
				moderation_category: expect.any(String),
			});
			expect(t.artifacts).toEqual([]);
		});

		it('answers 404 {error:"Not found.", code:404} for unknown ids', async () => {
			const res = await getTask(
				'user:4242-runwayml:' + USEAPI_EMAIL + '-task:00000000-0000-0000-0000-000000000000',
			);
			expect(res.json).toEqual({ error: 'Not found.', code: 404 });
		});
	});

	describe('cancel', () => {
		it('DELETE /scheduler/{taskId} cancels, DELETE /tasks/{taskId} deletes', async () => {
			const ids = await assets();
			sim.outcomes.next('useapi', 'stuck', 2);
			const a = (await useapi('/gen4/act-two', { body: ids })).json.task.taskId;
			const b = (await useapi('/gen4/act-two', { body: ids })).json.task.taskId;
			expect((await useapi('/scheduler/')).json.map((x: { taskId: string }) => x.taskId)).toEqual([
				a,
				b,
			]);
			expect(
				(await useapi('/scheduler/' + encodeURIComponent(a), { method: 'DELETE' })).status,
			).toBe(204);
			expect((await getTask(a)).json.status).toBe('CANCELLED');
			expect((await useapi('/scheduler/' + a, { method: 'DELETE' })).status).toBe(404);
			expect((await useapi('/tasks/' + b, { method: 'DELETE' })).status).toBe(204);
			expect((await getTask(b)).status).toBe(404);
		});
	});

	describe('replyUrl callbacks', () => {
		it('posts progress updates and the final task object with replyRef, retrying after a non-2xx answer', async () => {
			const hook = await receiver([500]);
			try {
				const ids = await assets();
				const { taskId } = (
					await useapi('/gen4/act-two', {
						body: { ...ids, replyUrl: hook.url, replyRef: 'order-42' },
					})
				).json.task;
				await waitFor(() => hook.received.find((r) => r.body.status === 'SUCCEEDED'), 5000);
				const bodies = hook.received.map((r) => r.body);
				expect(bodies.every((b) => b.taskId === taskId && b.replyRef === 'order-42')).toBe(true);
				expect(bodies.some((b) => b.status === 'RUNNING')).toBe(true);
				const final = bodies.find((b) => b.status === 'SUCCEEDED');
				expect(final.artifacts[0].url).toContain('/files/');
				await waitFor(() => sim.callbacks().find((c) => c.attempt === 2 && c.status === 200));
				const log = await sim.callbacksSettled();
				expect(log[0]).toMatchObject({ provider: 'useapi', attempt: 1, status: 500 });
				expect(log.filter((c) => c.event === 'final' && c.status === 200)).toHaveLength(1);
			} finally {
				await hook.close();
			}
		});

		it('stops retrying after the configured attempts', async () => {
			const hook = await receiver(() => 503);
			try {
				const ids = await assets();
				sim.outcomes.next('useapi', 'error');
				await useapi('/gen4/act-two', { body: { ...ids, replyUrl: hook.url } });
				await waitFor(
					() => sim.callbacks().find((c) => c.event === 'final' && c.attempt === 3),
					5000,
				);
				await new Promise((r) => setTimeout(r, 300));
				expect(sim.callbacks().filter((c) => c.event === 'final')).toHaveLength(3);
				expect(hook.received.find((r) => r.body.status === 'FAILED')?.body.error).toBeTruthy();
			} finally {
				await hook.close();
			}
		});
	});
});
