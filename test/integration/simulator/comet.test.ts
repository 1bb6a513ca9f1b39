/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { type Simulator, startSimulator } from '../../simulator';
import {
	CHARACTER,
	DRIVING,
	FAST,
	call,
	dataUri,
	download,
	provider,
	receiver,
	startsWithFtyp,
	waitFor,
} from './helpers';

jest.setTimeout(20000);

describe('simulator: CometAPI', () => {
	let sim: Simulator;
	let comet: ReturnType<typeof provider>;
	const body = () => ({
		model: 'act_two',
		character: { type: 'image', uri: sim.staticUrl('character.png') },
		reference: { type: 'video', uri: sim.staticUrl('driving.mp4') },
		ratio: '1280:720',
		bodyControl: true,
		expressionIntensity: 3,
		seed: 4294967295,
		contentModeration: { publicFigureThreshold: 'auto' },
	});
	const create = (b: unknown = body()) => comet('/runwayml/v1/character_performance', { body: b });
	const actOne = (b: Record<string, unknown>) => comet('/runway/pro/act_one', { body: b });
	const feed = (taskId: string) => comet('/runway/feed', { body: { task_id: taskId } });

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST, callbackRetry: { attempts: 2, baseDelayMs: 50 } });
		comet = provider(sim, 'comet');
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	describe('auth, credential test, errors', () => {
		it('answers 401 with the comet_api_error envelope; accepts Bearer and the bare key', async () => {
			const bad = await call(sim.baseUrls.comet + '/v1/models', {
				headers: { authorization: 'Bearer sk-wrong' },
			});
			expect(bad.status).toBe(401);
			expect(bad.json).toEqual({
				error: {
					message: expect.stringMatching(/request id/),
					type: 'comet_api_error',
					param: '',
					code: expect.any(String),
				},
			});
			const bare = await call(sim.baseUrls.comet + '/v1/models', {
				headers: { authorization: sim.keys.comet },
			});
			expect(bare.status).toBe(200);
			expect(bare.json.data.map((m: { id: string }) => m.id)).toContain('act_two');
		});

		it('serves GET /user/quota?key= and never records the key', async () => {
			const res = await call(
				sim.baseUrls.comet + '/user/quota?key=' + encodeURIComponent(sim.keys.comet),
			);
			expect(res.json).toMatchObject({
				username: expect.any(String),
				total_quota: expect.any(Number),
				keys: [{ remain_quota: expect.any(Number) }],
			});
			expect((await call(sim.baseUrls.comet + '/user/quota?key=nope')).status).toBe(401);
			expect(JSON.stringify(sim.requests())).not.toContain(sim.keys.comet);
		});

		it('requires X-Runway-Version on create and rejects data URIs and runway:// URIs', async () => {
			const noVersion = await call(sim.baseUrls.comet + '/runwayml/v1/character_performance', {
				body: body(),
				headers: { authorization: 'Bearer ' + sim.keys.comet },
			});
			expect(noVersion.status).toBe(400);
			expect(noVersion.json.error.type).toBe('comet_api_error');
			const data = await create({
				...body(),
				reference: { type: 'video', uri: dataUri('video/mp4', DRIVING) },
			});
			expect(data.status).toBe(400);
			expect(data.json.error.message).toMatch(/Data URIs/);
			expect(
				(await create({ ...body(), character: { type: 'image', uri: 'runway://x' } })).status,
			).toBe(400);
			expect((await create({ ...body(), expressionIntensity: 0 })).json.error.code).toBe(
				'invalid_request',
			);
		});

		it('answers 403 insufficient_user_quota without credits', async () => {
			sim.outcomes.next('comet', 'no_credits');
			const res = await create();
			expect(res.status).toBe(403);
			expect(res.json.error).toMatchObject({
				type: 'comet_api_error',
				code: 'insufficient_user_quota',
			});
		});
	});

	describe('Runway-compatible format', () => {
		it('wraps GET /runwayml/v1/tasks/{id} in the new-api envelope by default, output in data.data.output', async () => {
			const { id } = (await create()).json;
			const first = await comet('/runwayml/v1/tasks/' + id);
			expect(first.json).toMatchObject({
				code: 'success',
				message: '',
				data: {
					task_id: id,
					status: 'QUEUED',
					fail_reason: '',
					submit_time: expect.any(Number),
					progress: '0%',
					data: { id, status: 'PENDING' },
				},
			});
			const seen = new Set<string>();
			const done = await waitFor(
				async () => {
					const j = (await comet('/runwayml/v1/tasks/' + id)).json;
					seen.add(j.data.status);
					return j.data.status === 'SUCCESS' ? j : undefined;
				},
				5000,
				20,
			);
			expect(seen).toContain('IN_PROGRESS');
			expect(done.data).toMatchObject({
				progress: '100%',
				finish_time: expect.any(Number),
				data: { status: 'SUCCEEDED', output: [expect.any(String)] },
			});
			expect(startsWithFtyp((await download(done.data.data.output[0])).bytes)).toBe(true);
		});

		it('reports FAILURE with fail_reason (and the Runway failure inside)', async () => {
			sim.outcomes.next('comet', 'moderation');
			const { id } = (await create()).json;
			const j = await waitFor(async () => {
				const x = (await comet('/runwayml/v1/tasks/' + id)).json;
				return x.data.status === 'FAILURE' ? x : undefined;
			});
			expect(j.data.fail_reason).toMatch(/moderation/);
			expect(j.data.data).toMatchObject({ status: 'FAILED', failureCode: 'SAFETY.INPUT.IMAGE' });
		});

		it('answers task_not_exist for unknown ids, and right after create only when the fault is injected', async () => {
			const unknown = await comet('/runwayml/v1/tasks/00000000-0000-0000-0000-000000000000');
			expect(unknown.status).toBe(400);
			expect(unknown.json).toEqual({
				code: 'task_not_exist',
				message: 'task_not_exist',
				data: null,
			});
			const { id } = (await create()).json;
			expect((await comet('/runwayml/v1/tasks/' + id)).status).toBe(200);
			sim.faults.add({ provider: 'comet', kind: 'task_not_exist', times: 2 });
			expect((await comet('/runwayml/v1/tasks/' + id)).json.code).toBe('task_not_exist');
			expect((await comet('/runwayml/v1/tasks/' + id)).json.code).toBe('task_not_exist');
			expect((await comet('/runwayml/v1/tasks/' + id)).json.code).toBe('success');
			// with ms: only while the task is younger than ms
			await new Promise((r) => setTimeout(r, 300));
			sim.faults.add({ provider: 'comet', kind: 'task_not_exist', ms: 250 });
			const fresh = (await create()).json.id;
			expect((await comet('/runwayml/v1/tasks/' + fresh)).json.code).toBe('task_not_exist');
			expect((await comet('/runwayml/v1/tasks/' + id)).json.code).toBe('success');
			await new Promise((r) => setTimeout(r, 300));
			expect((await comet('/runwayml/v1/tasks/' + fresh)).json.code).toBe('success');
			sim.faults.clear();
			// a task_not_exist rule never touches the create route
			sim.faults.add({ provider: 'comet', kind: 'task_not_exist', times: 1 });
			expect((await create()).status).toBe(200);
		});

		it('answers the Runway-native shape with cometTaskShape "native"', async () => {
			const s2 = await startSimulator({ timing: FAST, cometTaskShape: 'native' });
			try {
				const c2 = provider(s2, 'comet');
				const { id } = (
					await c2('/runwayml/v1/character_performance', {
						body: {
							...body(),
							character: { type: 'image', uri: 'https://cdn.example.com/c.png' },
							reference: { type: 'video', uri: 'https://cdn.example.com/r.mp4' },
						},
					})
				).json;
				expect((await c2('/runwayml/v1/tasks/' + id)).json).toEqual({
					id,
					createdAt: expect.any(String),
					status: 'PENDING',
				});
				const done = await waitFor(async () => {
					const x = (await c2('/runwayml/v1/tasks/' + id)).json;
					return x.status === 'SUCCEEDED' ? x : undefined;
				});
				expect(done.output).toHaveLength(1);
			} finally {
				await s2.close();
			}
		});
	});

	describe('Act-One (reverse format)', () => {
		it('creates with {code:200,msg,data:{task_id},exec_time}, polls the legacy feed and calls back once, terminal only', async () => {
			const hook = await receiver();
			try {
				const res = await actOne({
					video: sim.staticUrl('driving.mp4'),
					image: sim.staticUrl('character.png'),
					callback_url: hook.url,
				});
				expect(res.status).toBe(200);
				expect(res.json).toEqual({
					code: 200,
					msg: 'success',
					data: { task_id: expect.any(String) },
					exec_time: expect.any(Number),
				});
				const taskId = res.json.data.task_id;
				const first = (await feed(taskId)).json;
				expect(first).toMatchObject({
					code: 200,
					msg: 'success',
					data: { task_id: taskId, status: '0', video_url: null },
					exec_time: expect.any(Number),
				});
				const statuses = new Set<string>();
				const done = await waitFor(
					async () => {
						const d = (await feed(taskId)).json.data;
						statuses.add(d.status);
						return d.status === '3' ? d : undefined;
					},
					5000,
					20,
				);
				expect(statuses).toContain('1');
				expect(done).toMatchObject({
					video_url: expect.stringContaining('.mp4'),
					poster: expect.any(String),
					refund: '0',
					create_time: expect.stringMatching(/^\d+$/),
				});
				await waitFor(() => hook.received[0]);
				await new Promise((r) => setTimeout(r, 100));
				expect(hook.received).toHaveLength(1);
				expect(hook.received[0].body).toEqual(done);
				expect(hook.received[0].body.code).toBeUndefined();
			} finally {
				await hook.close();
			}
		});

		it('fails with status "2" and the reason in msg', async () => {
			sim.outcomes.next('comet', 'error');
			const { task_id } = (
				await actOne({
					video: 'https://cdn.example.com/v.mp4',
					image: 'https://cdn.example.com/i.png',
					callback_url: 'http://127.0.0.1:9/x',
				})
			).json.data;
			const d = await waitFor(async () => {
				const x = (await feed(task_id)).json.data;
				return x.status === '2' ? x : undefined;
			});
			expect(d.msg).toEqual(expect.any(String));
			expect(d.video_url).toBeNull();
			expect(d.refund).not.toBe('0');
		});

		it('validates video, image and callback_url', async () => {
			expect(
				(await actOne({ image: 'https://a.example/i.png', callback_url: 'https://a.example/cb' }))
					.json,
			).toMatchObject({ code: 400, msg: expect.stringMatching(/video/) });
			expect(
				(await actOne({ video: 'https://a.example/v.mp4', image: 'https://a.example/i.png' }))
					.status,
			).toBe(400);
			expect(
				(
					await actOne({
						video: 'data:video/mp4;base64,AAAA',
						image: 'https://a.example/i.png',
						callback_url: 'https://a.example/cb',
					})
				).status,
			).toBe(400);
			expect((await comet('/runway/feed', { body: {} })).status).toBe(400);
			expect((await feed('nope')).json.code).toBe('task_not_exist');
		});

		it('answers the new-api wrapper on the feed with cometFeedShape "wrapped"', async () => {
			const s2 = await startSimulator({ timing: FAST, cometFeedShape: 'wrapped' });
			try {
				const c2 = provider(s2, 'comet');
				const { task_id } = (
					await c2('/runway/pro/act_one', {
						body: {
							video: 'https://a.example/v.mp4',
							image: 'https://a.example/i.png',
							callback_url: 'http://127.0.0.1:9/cb',
						},
					})
				).json.data;
				const done = await waitFor(async () => {
					const x = (await c2('/runway/feed', { body: { task_id } })).json;
					return x.data.status === 'SUCCESS' ? x : undefined;
				});
				expect(done).toMatchObject({
					code: 'success',
					data: { task_id, data: { status: '3', video_url: expect.any(String) } },
				});
			} finally {
				await s2.close();
			}
		});
	});

	it('takes loopback URLs it can fetch but no data URIs', async () => {
		expect(
			(
				await create({
					...body(),
					character: { type: 'image', uri: dataUri('image/png', CHARACTER) },
				})
			).status,
		).toBe(400);
		expect((await create()).status).toBe(200);
	});
});
