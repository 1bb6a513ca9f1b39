/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * The Act-Two Trigger fed with the callbacks the simulator really sent (captured by a local receiver, then
 * replayed with their bodies and headers) and with hand-made forged ones.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { chain, node, NO_OP_TYPE, readBinary, runTriggerWebhook, runWorkflow } from '../../harness';
import type { FakeRequest, RunOptions } from '../../harness';
import { startSimulator, type SimProvider, type Simulator } from '../../simulator';
import {
	ACT_TWO_TRIGGER,
	actTwo,
	credentials,
	errorText,
	expectNoSecrets,
	FAST,
	items,
	nodeCredentials,
	OUTPUT,
	type Received,
	receiver,
	startsWithFtyp,
	urlInputs,
	waitFor,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

const SECRET = 'trigger-secret-0123456789';
const HMAC_KEY = 'kie-hmac-key-abcdef';

let sim: Simulator;
let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
	sim = await startSimulator({ timing: FAST, liangxinHmacKey: HMAC_KEY, callbackRetry: { attempts: 1, baseDelayMs: 10 } });
	hook = await receiver();
});
afterAll(async () => {
	await sim.close();
	await hook.close();
});
beforeEach(() => {
	sim.reset();
	hook.received.length = 0;
});

const creds = (): RunOptions['credentials'] => credentials(sim, { liangxin: { webhookHmacSecret: HMAC_KEY } });

/** Starts one render whose callbacks go to the receiver (as if it were the trigger's production URL). */
async function render(provider: SimProvider, extra: INodeParameters = {}): Promise<string> {
	const result = await runWorkflow(
		workflow(
			items(1),
			actTwo(
				provider,
				urlInputs(sim, {
					...(provider === 'comet' ? { model: 'act_one' } : {}),
					createOptions: { callbackUrl: `${hook.url}?secret=${SECRET}`, ...(provider === 'useapi' ? { replyRef: 'order-9' } : {}) },
					...extra,
				}),
			),
		),
		{ credentials: creds() },
	);
	expect(errorText(result)).toBe('');
	return String(result.outputs('Act-Two')[0].json.taskId);
}

const taskIdOf = (b: unknown): string | undefined => {
	const o = b as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	return o?.taskId ?? o?.task_id ?? o?.data?.taskId;
};
const isFinal = (b: unknown): boolean => {
	const o = b as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	return ['SUCCEEDED', 'FAILED'].includes(o?.status) || ['2', '3'].includes(o?.status) || ['success', 'fail'].includes(o?.data?.state);
};

async function finalCallback(taskId: string): Promise<Received> {
	return await waitFor(() => hook.received.find((r) => taskIdOf(r.body) === taskId && isFinal(r.body)), 5000);
}

/** A captured callback as the request n8n would hand the trigger. */
const replay = (r: Received, patch: Partial<FakeRequest> = {}): FakeRequest => ({
	path: 'act-two',
	body: r.body,
	headers: r.headers as FakeRequest['headers'],
	query: r.query,
	...patch,
});

function triggerWorkflow(provider: SimProvider, parameters: INodeParameters = {}, withCredential = true) {
	return chain([
		node(
			'Act-Two Trigger',
			ACT_TWO_TRIGGER,
			{ provider, secret: SECRET, events: 'finished', ...parameters },
			{ webhookId: 'act-two-hook', ...(withCredential ? { credentials: nodeCredentials(provider) } : {}) },
		),
		node('After', NO_OP_TYPE),
	]);
}

async function fire(provider: SimProvider, request: FakeRequest, parameters: INodeParameters = {}, staticData: IDataObject = {}, withCredential = true) {
	return await runTriggerWebhook(triggerWorkflow(provider, parameters, withCredential), 'Act-Two Trigger', request, {
		credentials: creds(),
		staticData,
		execute: true,
	});
}

describe.each(['useapi', 'liangxin', 'comet'] as const)('%s: real callbacks', (provider) => {
	test('the terminal callback starts the workflow with the confirmed normalized task', async () => {
		const taskId = await render(provider);
		const final = await finalCallback(taskId);
		expect(final.query.secret).toBe(SECRET);
		const call = await fire(provider, replay(final));
		expect(call.response.webhookResponse).toEqual({ received: true, started: true });
		expect(call.run?.status).toBe('success');
		const [item] = call.run!.outputs('After');
		expect(item.json).toMatchObject({
			provider,
			model: provider === 'comet' ? 'act_one' : 'act_two',
			taskId,
			status: 'succeeded',
			videoUrl: expect.stringMatching(/\.mp4/),
			confirmed: true,
			callback: final.body,
		});
		if (provider === 'useapi') expect(item.json.replyRef).toBe('order-9');
		expectNoSecrets(sim, call.run!.data, call.httpResponse);
	});

	test('wrong or missing secret → 401 and no execution', async () => {
		const taskId = await render(provider);
		const final = await finalCallback(taskId);
		for (const query of [{ secret: 'wrong' }, {}, { secret: SECRET.slice(0, -1) }]) {
			const call = await fire(provider, replay(final, { query }));
			expect(call.httpResponse).toMatchObject({ statusCode: 401, body: { received: false, reason: 'missing or wrong secret' } });
			expect(call.workflowData).toBeUndefined();
			expect(call.run).toBeUndefined();
		}
	});

	test('a forged callback about a task the provider does not know → 403 (confirm is on by default)', async () => {
		const taskId = await render(provider);
		const final = await finalCallback(taskId);
		const body = JSON.parse(JSON.stringify(final.body)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
		if (provider === 'liangxin') body.data.taskId = 'task_runway_act_two_42';
		else if (provider === 'comet') body.task_id = 'forged-0000';
		else body.taskId = `${taskId.split('-task:')[0]}-task:00000000-0000-0000-0000-000000000000`;
		// LiangXin callbacks are signed: sign the forged one with the right key so the confirmation is what rejects it.
		const headers = provider === 'liangxin' ? signed(body.data.taskId) : {};
		const call = await fire(provider, replay(final, { body, headers }));
		expect(call.httpResponse.statusCode).toBe(403);
		expect(call.httpResponse.body).toMatchObject({ received: false });
		expect(call.run).toBeUndefined();
	});

	test('duplicate delivery of the same callback → one execution', async () => {
		const taskId = await render(provider);
		const final = await finalCallback(taskId);
		const staticData: IDataObject = {};
		const first = await fire(provider, replay(final), {}, staticData);
		const second = await fire(provider, replay(final), {}, staticData);
		expect(first.run?.status).toBe('success');
		expect(second.httpResponse).toMatchObject({ statusCode: 200, body: { received: true, started: false, reason: 'duplicate delivery' } });
		expect(second.run).toBeUndefined();
	});

	test('Download Video option → the MP4 as binary data', async () => {
		const taskId = await render(provider);
		const final = await finalCallback(taskId);
		const call = await fire(provider, replay(final), { options: { download: true, binaryPropertyName: 'video' } });
		// The provider is answered before the download starts.
		expect(call.httpResponse).toMatchObject({ statusCode: 200, body: { received: true, started: true } });
		const [item] = call.run!.outputs('After');
		expect(item.binary?.video.mimeType).toBe('video/mp4');
		const bytes = await readBinary(item, 'video');
		expect(startsWithFtyp(bytes)).toBe(true);
		expect(bytes.equals(OUTPUT)).toBe(true);
	});
});

function signed(taskId: string, key = HMAC_KEY, ts = String(Math.floor(Date.now() / 1000))) {
	const { createHmac } = require('node:crypto') as typeof import('node:crypto'); // eslint-disable-line @typescript-eslint/no-require-imports
	return { 'x-webhook-timestamp': ts, 'x-webhook-signature': createHmac('sha256', key).update(`${taskId}.${ts}`).digest('base64') };
}

describe('progress callbacks (useapi.net sends them)', () => {
	test('filtered out by default; started with Include Progress Callbacks', async () => {
		const taskId = await render('useapi');
		await finalCallback(taskId);
		const progress = hook.received.find((r) => taskIdOf(r.body) === taskId && !isFinal(r.body))!;
		expect(progress).toBeDefined();
		const filtered = await fire('useapi', replay(progress));
		expect(filtered.httpResponse).toMatchObject({ statusCode: 200, body: { received: true, started: false } });
		expect(String((filtered.httpResponse.body as IDataObject).reason)).toMatch(/^status (queued|running) is filtered out$/);
		expect(filtered.run).toBeUndefined();

		// With the option on it starts; confirmation replaces the claimed status with what the API says now.
		const started = await fire('useapi', replay(progress), { options: { includeProgress: true } });
		expect(started.run?.status).toBe('success');
		expect(started.run!.outputs('After')[0].json.taskId).toBe(taskId);
	});
});

describe('LiangXin HMAC signatures (credential Webhook HMAC Key)', () => {
	test('the simulator signs; a valid signature passes, a bad or missing one → 401', async () => {
		const taskId = await render('liangxin');
		const final = await finalCallback(taskId);
		expect(final.headers['x-webhook-signature']).toEqual(expect.any(String));
		expect((await fire('liangxin', replay(final))).run?.status).toBe('success');

		const tampered = await fire('liangxin', replay(final, { headers: { ...final.headers, 'x-webhook-signature': signed(taskId, 'other-key')['x-webhook-signature'] } as never }));
		expect(tampered.httpResponse).toMatchObject({ statusCode: 401, body: { reason: 'signature mismatch' } });
		expect(tampered.run).toBeUndefined();

		const unsigned = await fire('liangxin', replay(final, { headers: {} }));
		expect(unsigned.httpResponse).toMatchObject({ statusCode: 401, body: { reason: 'missing X-Webhook-Timestamp or X-Webhook-Signature' } });

		const stale = await fire('liangxin', replay(final, { headers: signed(taskId, HMAC_KEY, String(Math.floor(Date.now() / 1000) - 3600)) }));
		expect(stale.httpResponse).toMatchObject({ statusCode: 401, body: { reason: 'stale or invalid X-Webhook-Timestamp' } });
	});
});

describe('event filter and confirmation', () => {
	test('events "succeeded" ignores a failed render; events "failed" starts for it', async () => {
		sim.outcomes.next('liangxin', 'moderation');
		const taskId = await render('liangxin');
		const final = await finalCallback(taskId);
		const ignored = await fire('liangxin', replay(final), { events: 'succeeded' });
		expect(ignored.httpResponse).toMatchObject({ statusCode: 200, body: { started: false, reason: 'status failed is filtered out' } });
		const started = await fire('liangxin', replay(final), { events: 'failed' });
		expect(started.run!.outputs('After')[0].json).toMatchObject({ status: 'failed', error: { category: 'moderation' } });
	});

	test('a "succeeded" callback for a task the API says is still running → 403', async () => {
		sim.outcomes.next('useapi', 'stuck');
		const taskId = await render('useapi');
		await waitFor(() => sim.tasks()[0]?.phase === 'running', 3000);
		const call = await fire('useapi', { path: 'act-two', query: { secret: SECRET }, body: { taskId, status: 'SUCCEEDED', artifacts: [{ url: 'https://evil.example.com/x.mp4' }] } });
		expect(call.httpResponse).toMatchObject({ statusCode: 403, body: { reason: `the provider says task ${taskId} is running` } });
		expect(call.run).toBeUndefined();
	});

	test('confirm off: the callback is used as received (confirmed: false); not a callback body → 400', async () => {
		const taskId = await render('comet');
		const final = await finalCallback(taskId);
		const call = await fire('comet', replay(final), { options: { confirm: false } });
		expect(call.run!.outputs('After')[0].json).toMatchObject({ taskId, status: 'succeeded', confirmed: false });
		const junk = await fire('comet', replay(final, { body: { hello: 'world' } }));
		expect(junk.httpResponse.statusCode).toBe(400);
		expect(junk.run).toBeUndefined();
	});
});
