/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { createHmac, timingSafeEqual } from 'node:crypto';

import { type Simulator, startSimulator } from '../../simulator';
import { FAST, call, download, provider, receiver, startsWithFtyp, waitFor } from './helpers';

jest.setTimeout(20000);

const HMAC_KEY = 'kie-hmac-test-key';

describe('simulator: LiangXin (Kie-style jobs API)', () => {
	let sim: Simulator;
	let lx: ReturnType<typeof provider>;
	const body = (extra: Record<string, unknown> = {}, input: Record<string, unknown> = {}) => ({
		model: 'runway-act-two',
		...extra,
		input: {
			character: { type: 'image', uri: sim.staticUrl('character.png') },
			reference: { type: 'video', uri: sim.staticUrl('driving.mp4') },
			ratio: '1280:720',
			body_control: true,
			expression_intensity: 3,
			seed: 12345,
			...input,
		},
	});
	const create = (b: unknown) => lx('/api/v1/jobs/createTask', { body: b });
	const record = (id: string) => lx('/api/v1/jobs/recordInfo?taskId=' + encodeURIComponent(id));

	beforeAll(async () => {
		sim = await startSimulator({
			timing: FAST,
			liangxinHmacKey: HMAC_KEY,
			callbackRetry: { attempts: 3, baseDelayMs: 50 },
		});
		lx = provider(sim, 'liangxin');
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	it('answers code 401 for a bad key and serves GET /api/v1/chat/credit', async () => {
		const bad = await call(sim.baseUrls.liangxin + '/api/v1/chat/credit', {
			headers: { authorization: 'Bearer nope' },
		});
		expect(bad.status).toBe(401);
		expect(bad.json).toMatchObject({ code: 401, msg: expect.any(String) });
		expect((await lx('/api/v1/chat/credit')).json).toEqual({
			code: 200,
			msg: 'success',
			data: expect.any(Number),
		});
	});

	it('creates with {code:200,msg:"success",data:{taskId:"task_runway_act_two_<n>"}}', async () => {
		const res = await create(body({ callBackUrl: 'https://example.com/cb' }));
		expect(res.json).toEqual({
			code: 200,
			msg: 'success',
			data: { taskId: expect.stringMatching(/^task_runway_act_two_\d+$/) },
		});
		const again = await create(body());
		expect(again.json.data.taskId).not.toBe(res.json.data.taskId);
	});

	it('accepts plain URL strings for character and reference', async () => {
		const res = await create(
			body(
				{},
				{ character: 'https://cdn.example.com/c.png', reference: 'https://cdn.example.com/r.mp4' },
			),
		);
		expect(res.json.code).toBe(200);
	});

	it.each([
		['model', { model: 'runway-act-one' }, {}],
		['ratio', {}, { ratio: '16:9' }],
		['expression_intensity', {}, { expression_intensity: 0 }],
		['seed', {}, { seed: -5 }],
		['reference type', {}, { reference: { type: 'image', uri: 'https://a.example/x.png' } }],
		['callBackUrl', { callBackUrl: 'ftp://x' }, {}],
		[
			'unreachable loopback reference',
			{},
			{ reference: { type: 'video', uri: 'http://127.0.0.1:1/none.mp4' } },
		],
	])('answers code 422 for a bad %s', async (_n, extra, input) => {
		const res = await create(body(extra, input));
		expect(res.status).toBe(422);
		expect(res.json).toMatchObject({ code: 422, msg: expect.any(String) });
	});

	it('rejects a reference shorter than 3 s it fetched', async () => {
		const res = await create(
			body({}, { reference: { type: 'video', uri: sim.staticUrl('too-short.mp4') } }),
		);
		expect(res.json.code).toBe(422);
		expect(res.json.msg).toMatch(/3 and 30/);
	});

	it('reports waiting|queuing -> generating -> success with param and resultJson as JSON strings', async () => {
		const sent = body();
		const taskId = (await create(sent)).json.data.taskId;
		const first = (await record(taskId)).json;
		expect(first).toMatchObject({
			code: 200,
			msg: 'success',
			data: { taskId, model: 'runway-act-two', resultJson: '', failCode: '', failMsg: '' },
		});
		expect(['waiting', 'queuing']).toContain(first.data.state);
		expect(JSON.parse(first.data.param)).toEqual(sent);
		const states = new Set<string>();
		const done = await waitFor(
			async () => {
				const d = (await record(taskId)).json.data;
				states.add(d.state);
				return d.state === 'success' ? d : undefined;
			},
			5000,
			20,
		);
		expect(states).toContain('generating');
		expect(typeof done.resultJson).toBe('string');
		const url = JSON.parse(done.resultJson).resultUrls[0];
		expect(startsWithFtyp((await download(url)).bytes)).toBe(true);
		expect(done.completeTime).toBeGreaterThanOrEqual(done.createTime);
		expect(String(done.createTime)).toMatch(/^\d{13}$/);
	});

	it('fails with state fail, failCode and failMsg', async () => {
		sim.outcomes.next('liangxin', 'moderation');
		const taskId = (await create(body())).json.data.taskId;
		const d = await waitFor(async () => {
			const x = (await record(taskId)).json.data;
			return x.state === 'fail' ? x : undefined;
		});
		expect(d.failCode).not.toBe('');
		expect(d.failMsg).toMatch(/moderation/);
		expect(d.resultJson).toBe('');
	});

	it('answers 402 without credits, 404 for unknown tasks and 422 without taskId', async () => {
		sim.outcomes.next('liangxin', 'no_credits');
		const broke = await create(body());
		expect(broke.status).toBe(402);
		expect(broke.json.code).toBe(402);
		expect((await record('task_runway_act_two_1')).json.code).toBe(404);
		expect((await lx('/api/v1/jobs/recordInfo')).json.code).toBe(422);
	});

	it('calls back with the recordInfo envelope (200 / 501), terminal only, Kie HMAC-signed, retried after a 500', async () => {
		const hook = await receiver([500]);
		try {
			const ok = (await create(body({ callBackUrl: hook.url }))).json.data.taskId;
			sim.outcomes.next('liangxin', 'error');
			const bad = (await create(body({ callBackUrl: hook.url }))).json.data.taskId;
			await waitFor(() => hook.received.length >= 3 || undefined, 5000);
			await new Promise((r) => setTimeout(r, 200));
			expect(hook.received).toHaveLength(3); // one retried (500 then 200) + one
			const okBody = hook.received.filter((r) => r.body.data.taskId === ok);
			expect(okBody[okBody.length - 1].body).toMatchObject({
				code: 200,
				msg: 'success',
				data: { taskId: ok, state: 'success' },
			});
			expect(JSON.parse(okBody[0].body.data.resultJson).resultUrls).toHaveLength(1);
			const badBody = hook.received.find((r) => r.body.data.taskId === bad)!.body;
			expect(badBody).toMatchObject({
				code: 501,
				data: { state: 'fail', failCode: expect.any(String) },
			});
			for (const r of hook.received) {
				const ts = r.headers['x-webhook-timestamp'] as string;
				const sig = r.headers['x-webhook-signature'] as string;
				expect(ts).toMatch(/^\d{10}$/);
				const expected = createHmac('sha256', HMAC_KEY)
					.update(r.body.data.taskId + '.' + ts)
					.digest('base64');
				expect(timingSafeEqual(Buffer.from(sig), Buffer.from(expected))).toBe(true);
			}
			const attempts = (await sim.callbacksSettled()).filter(
				(c) => c.taskId === hook.received[0].body.data.taskId,
			);
			expect(attempts.map((a) => a.status)).toEqual([500, 200]);
		} finally {
			await hook.close();
		}
	});

	it('sends no HMAC headers without a key, and answers HTTP 200 for business errors when configured', async () => {
		const s2 = await startSimulator({ timing: FAST, liangxinErrorHttpStatus: '200' });
		const hook = await receiver();
		try {
			const l2 = provider(s2, 'liangxin');
			const bad = await l2('/api/v1/jobs/createTask', { body: { model: 'nope', input: {} } });
			expect(bad.status).toBe(200);
			expect(bad.json.code).toBe(422);
			await l2('/api/v1/jobs/createTask', {
				body: {
					model: 'runway-act-two',
					callBackUrl: hook.url,
					input: { character: 'https://a.example/c.png', reference: 'https://a.example/r.mp4' },
				},
			});
			await waitFor(() => hook.received[0]);
			expect(hook.received[0].headers['x-webhook-signature']).toBeUndefined();
		} finally {
			await hook.close();
			await s2.close();
		}
	});
});
