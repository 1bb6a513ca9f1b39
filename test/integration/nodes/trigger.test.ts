/**
 * The Act-Two Trigger fed with the callbacks the simulator really sent (captured by a local receiver, then
 * replayed with their bodies and headers) and with hand-made forged ones.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { chain, node, NO_OP_TYPE, readBinary, runTriggerWebhook, runWorkflow } from '../../harness';
import type { FakeRequest, RunOptions } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	ACT_TWO_TRIGGER,
	actTwo,
	credentials,
	errorText,
	expectNoSecrets,
	items,
	nodeCredentials,
	OUTPUT,
	type Received,
	receiver,
	startsWithFtyp,
	urlInputs,
	waitFor,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

/** The trigger's URL token (not a real secret: test data). */
const URL_TOKEN = ['trigger', 'token', '0123456789'].join('-');
const HMAC_KEY = 'kie-hmac-key-abcdef';

// Every test has its own simulator and runs concurrently with the others; they share one callback receiver
// and pick their callbacks out by task ID.
const it = test.concurrent;
const simTest = (fn: (sim: Simulator) => Promise<void>) =>
	withSim(fn, { liangxinHmacKey: HMAC_KEY, callbackRetry: { attempts: 1, baseDelayMs: 10 } });

let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
	hook = await receiver();
});
afterAll(async () => {
	await hook.close();
});

const creds = (sim: Simulator): RunOptions['credentials'] =>
	credentials(sim, { liangxin: { webhookHmacSecret: HMAC_KEY } });

/** Starts one render whose callbacks go to the receiver (as if it were the trigger's production URL). */
async function render(
	sim: Simulator,
	provider: SimProvider,
	extra: INodeParameters = {},
): Promise<string> {
	const result = await runWorkflow(
		workflow(
			items(1),
			actTwo(
				provider,
				urlInputs(sim, {
					...(provider === 'comet' ? { model: 'act_one' } : {}),
					createOptions: {
						callbackUrl: `${hook.url}?secret=${URL_TOKEN}`,
						...(provider === 'useapi' ? { replyRef: 'order-9' } : {}),
					},
					...extra,
				}),
			),
		),
		{ credentials: creds(sim) },
	);
	expect(errorText(result)).toBe('');
	return String(result.outputs('Act-Two')[0].json.taskId);
}

const taskIdOf = (b: unknown): string | undefined => {
	const o = b as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	return o?.taskId ?? o?.task_id ?? o?.data?.taskId ?? o?.id;
};
const isFinal = (b: unknown): boolean => {
	const o = b as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	return (
		['SUCCEEDED', 'FAILED', 'completed', 'failed'].includes(o?.status) ||
		['2', '3'].includes(o?.status) ||
		['success', 'fail'].includes(o?.data?.state)
	);
};

async function finalCallback(taskId: string): Promise<Received> {
	return await waitFor(
		() => hook.received.find((r) => taskIdOf(r.body) === taskId && isFinal(r.body)),
		5000,
	);
}

/** A captured callback as the request n8n would hand the trigger. */
const replay = (r: Received, patch: Partial<FakeRequest> = {}): FakeRequest => ({
	path: 'act-two',
	body: r.body,
	headers: r.headers as FakeRequest['headers'],
	query: r.query,
	...patch,
});

function triggerWorkflow(
	provider: SimProvider,
	parameters: INodeParameters = {},
	withCredential = true,
) {
	return chain([
		node(
			'Act-Two Trigger',
			ACT_TWO_TRIGGER,
			{ provider, secret: URL_TOKEN, events: 'finished', ...parameters },
			{
				webhookId: 'act-two-hook',
				...(withCredential ? { credentials: nodeCredentials(provider) } : {}),
			},
		),
		node('After', NO_OP_TYPE),
	]);
}

async function fire(
	sim: Simulator,
	provider: SimProvider,
	request: FakeRequest,
	parameters: INodeParameters = {},
	staticData: IDataObject = {},
	withCredential = true,
) {
	return await runTriggerWebhook(
		triggerWorkflow(provider, parameters, withCredential),
		'Act-Two Trigger',
		request,
		{
			credentials: creds(sim),
			staticData,
			execute: true,
		},
	);
}

const CALLING_BACK = ['useapi', 'liangxin', 'comet', 'muapi'] as const;

describe.each(CALLING_BACK)('%s: real callbacks', (provider) => {
	it('the terminal callback starts the workflow with the confirmed normalized task', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, provider);
			const final = await finalCallback(taskId);
			expect(final.query.secret).toBe(URL_TOKEN);
			const call = await fire(sim, provider, replay(final));
			expect(call.httpResponse).toMatchObject({
				statusCode: 200,
				body: { received: true, started: true },
			});
			expect(call.run?.status).toBe('success');
			const [item] = call.run!.outputs('After');
			// the provider echoes the callback URL (LiangXin's param): its secret is masked
			const echoed = JSON.parse(
				JSON.stringify(final.body)
					.split(URL_TOKEN)
					.join(`${URL_TOKEN.slice(0, 3)}***`),
			) as unknown;
			expect(item.json).toMatchObject({
				provider,
				model: provider === 'comet' ? 'act_one' : 'act_two',
				taskId,
				status: 'succeeded',
				videoUrl: expect.stringMatching(/\.mp4/),
				confirmed: true,
				callback: echoed,
			});
			expect(JSON.stringify(item.json)).not.toContain(URL_TOKEN);
			if (provider === 'useapi') expect(item.json.replyRef).toBe('order-9');
			expectNoSecrets(sim, call.run!.data, call.httpResponse);
		}));

	it('wrong or missing secret → 401 and no execution', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, provider);
			const final = await finalCallback(taskId);
			for (const query of [{ secret: 'wrong' }, {}, { secret: URL_TOKEN.slice(0, -1) }]) {
				const call = await fire(sim, provider, replay(final, { query }));
				expect(call.httpResponse).toMatchObject({
					statusCode: 401,
					body: { received: false, reason: 'missing or wrong secret' },
				});
				expect(call.workflowData).toBeUndefined();
				expect(call.run).toBeUndefined();
			}
		}));

	it('a forged callback about a task the provider does not know → 403 (confirm is on by default)', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, provider);
			const final = await finalCallback(taskId);
			const body = JSON.parse(JSON.stringify(final.body)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
			if (provider === 'liangxin') body.data.taskId = 'task_runway_act_two_42';
			else if (provider === 'comet') body.task_id = 'forged-0000';
			else if (provider === 'muapi') body.id = 'forged-prediction-0000';
			else body.taskId = `${taskId.split('-task:')[0]}-task:00000000-0000-0000-0000-000000000000`;
			// LiangXin callbacks are signed: sign the forged one with the right key so the confirmation is what rejects it.
			const headers = provider === 'liangxin' ? signed(body.data.taskId) : {};
			const call = await fire(sim, provider, replay(final, { body, headers }));
			expect(call.httpResponse.statusCode).toBe(403);
			expect(call.httpResponse.body).toMatchObject({ received: false });
			expect(call.run).toBeUndefined();
		}));

	it('duplicate delivery of the same callback → one execution', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, provider);
			const final = await finalCallback(taskId);
			const staticData: IDataObject = {};
			const first = await fire(sim, provider, replay(final), {}, staticData);
			const second = await fire(sim, provider, replay(final), {}, staticData);
			expect(first.run?.status).toBe('success');
			expect(second.httpResponse).toMatchObject({
				statusCode: 200,
				body: { received: true, started: false, reason: 'duplicate delivery' },
			});
			expect(second.run).toBeUndefined();
		}));

	it('Download Video option → the MP4 as binary data', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, provider);
			const final = await finalCallback(taskId);
			const call = await fire(sim, provider, replay(final), {
				options: { download: true, binaryPropertyName: 'video' },
			});
			// The provider is answered before the download starts.
			expect(call.httpResponse).toMatchObject({
				statusCode: 200,
				body: { received: true, started: true },
			});
			const [item] = call.run!.outputs('After');
			expect(item.binary?.video.mimeType).toBe('video/mp4');
			const bytes = await readBinary(item, 'video');
			expect(startsWithFtyp(bytes)).toBe(true);
			expect(bytes.equals(OUTPUT)).toBe(true);
		}));
});

function signed(taskId: string, key = HMAC_KEY, ts = String(Math.floor(Date.now() / 1000))) {
	const { createHmac } = require('node:crypto') as typeof import('node:crypto'); // eslint-disable-line @typescript-eslint/no-require-imports
	return {
		'x-webhook-timestamp': ts,
		'x-webhook-signature': createHmac('sha256', key).update(`${taskId}.${ts}`).digest('base64'),
	};
}

describe('progress callbacks (useapi.net sends them)', () => {
	it('filtered out by default; started with Include Progress Callbacks', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, 'useapi');
			await finalCallback(taskId);
			const progress = hook.received.find((r) => taskIdOf(r.body) === taskId && !isFinal(r.body))!;
			expect(progress).toBeDefined();
			const filtered = await fire(sim, 'useapi', replay(progress));
			expect(filtered.httpResponse).toMatchObject({
				statusCode: 200,
				body: { received: true, started: false },
			});
			expect(String((filtered.httpResponse.body as IDataObject).reason)).toMatch(
				/^status (queued|running) is filtered out$/,
			);
			expect(filtered.run).toBeUndefined();

			// With the option on it starts; confirmation replaces the claimed status with what the API says now.
			const started = await fire(sim, 'useapi', replay(progress), {
				options: { includeProgress: true },
			});
			expect(started.run?.status).toBe('success');
			expect(started.run!.outputs('After')[0].json.taskId).toBe(taskId);
		}));
});

describe('LiangXin HMAC signatures (credential Webhook HMAC Key)', () => {
	it('the simulator signs; a valid signature passes, a bad or missing one → 401', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, 'liangxin');
			const final = await finalCallback(taskId);
			expect(final.headers['x-webhook-signature']).toEqual(expect.any(String));
			expect((await fire(sim, 'liangxin', replay(final))).run?.status).toBe('success');

			const tampered = await fire(
				sim,
				'liangxin',
				replay(final, {
					headers: {
						...final.headers,
						'x-webhook-signature': signed(taskId, 'other-key')['x-webhook-signature'],
					} as never,
				}),
			);
			expect(tampered.httpResponse).toMatchObject({
				statusCode: 401,
				body: { reason: 'signature mismatch' },
			});
			expect(tampered.run).toBeUndefined();

			const unsigned = await fire(sim, 'liangxin', replay(final, { headers: {} }));
			expect(unsigned.httpResponse).toMatchObject({
				statusCode: 401,
				body: { reason: 'missing X-Webhook-Timestamp or X-Webhook-Signature' },
			});

			const stale = await fire(
				sim,
				'liangxin',
				replay(final, {
					headers: signed(taskId, HMAC_KEY, String(Math.floor(Date.now() / 1000) - 3600)),
				}),
			);
			expect(stale.httpResponse).toMatchObject({
				statusCode: 401,
				body: { reason: 'stale or invalid X-Webhook-Timestamp' },
			});
		}));
});

describe('event filter and confirmation', () => {
	// Muapi: the confirming read of a failed prediction is answered HTTP 400, which its adapter reads as the failure.
	it.each(['liangxin', 'muapi'] as const)(
		'%s: events "succeeded" ignores a failed render; events "failed" starts for it, confirmed',
		(provider) =>
			simTest(async (sim) => {
				sim.outcomes.next(provider, 'moderation');
				const taskId = await render(sim, provider);
				const final = await finalCallback(taskId);
				const ignored = await fire(sim, provider, replay(final), { events: 'succeeded' });
				expect(ignored.httpResponse).toMatchObject({
					statusCode: 200,
					body: { started: false, reason: 'status failed is filtered out' },
				});
				const started = await fire(sim, provider, replay(final), { events: 'failed' });
				expect(started.run!.outputs('After')[0].json).toMatchObject({
					taskId,
					status: 'failed',
					confirmed: true,
					error: { category: 'moderation' },
				});
			}),
	);

	it('a "succeeded" callback for a task the API says is still running → 503, nothing started or remembered', () =>
		simTest(async (sim) => {
			sim.outcomes.next('useapi', 'stuck');
			const taskId = await render(sim, 'useapi');
			await waitFor(() => sim.tasks()[0]?.phase === 'running', 3000);
			const body = {
				taskId,
				status: 'SUCCEEDED',
				artifacts: [{ url: 'https://evil.example.com/x.mp4' }],
			};
			const staticData = {};
			const call = await fire(
				sim,
				'useapi',
				{ path: 'act-two', query: { secret: URL_TOKEN }, body },
				{},
				staticData,
			);
			expect(call.httpResponse).toMatchObject({
				statusCode: 503,
				headers: { 'retry-after': '30' },
				body: { reason: `the provider's API does not show task ${taskId} as ended yet` },
			});
			expect(call.run).toBeUndefined();
			expect(JSON.stringify(staticData)).not.toContain(taskId);
		}));

	it("a genuine final callback during a status API outage → 503; the provider's retry after it starts one execution", () =>
		simTest(async (sim) => {
			const taskId = await render(sim, 'liangxin');
			const final = await finalCallback(taskId);
			sim.faults.add({
				provider: 'liangxin',
				path: '/api/v1/jobs/recordInfo',
				kind: 'server_error',
				status: 503,
			});
			const staticData = {};
			const during = await fire(sim, 'liangxin', replay(final), {}, staticData);
			expect(during.httpResponse).toMatchObject({ statusCode: 503 });
			expect(during.run).toBeUndefined();
			sim.faults.clear();
			const after = await fire(sim, 'liangxin', replay(final), {}, staticData);
			expect(after.httpResponse).toMatchObject({ statusCode: 200 });
			expect(after.run?.outputs('After')[0].json).toMatchObject({
				taskId,
				status: 'succeeded',
				confirmed: true,
			});
			const again = await fire(sim, 'liangxin', replay(final), {}, staticData);
			expect(again.response.webhookResponse ?? again.httpResponse.body).toMatchObject({
				started: false,
			});
		}));

	it('confirm off: the callback is used as received (confirmed: false); not a callback body → 400', () =>
		simTest(async (sim) => {
			const taskId = await render(sim, 'comet');
			const final = await finalCallback(taskId);
			const call = await fire(sim, 'comet', replay(final), { options: { confirm: false } });
			expect(call.run!.outputs('After')[0].json).toMatchObject({
				taskId,
				status: 'succeeded',
				confirmed: false,
			});
			const junk = await fire(sim, 'comet', replay(final, { body: { hello: 'world' } }));
			expect(junk.httpResponse.statusCode).toBe(400);
			expect(junk.run).toBeUndefined();
		}));
});

it('the secret lives in the credential (trigger v2): the Act-Two node adds it to the Callback URL; neither node outputs it, though the provider echoes it', () =>
	simTest(async (sim) => {
		const secret = ['callback', 'secret', 'from', 'credential', '0123'].join('-');
		const withSecret = credentials(sim, {
			liangxin: { webhookHmacSecret: HMAC_KEY, callbackSecret: secret },
		});
		const started = await runWorkflow(
			workflow(
				items(1),
				actTwo('liangxin', urlInputs(sim, { createOptions: { callbackUrl: hook.url } })),
			),
			{ credentials: withSecret },
		);
		expect(errorText(started)).toBe('');
		const taskId = String(started.outputs('Act-Two')[0].json.taskId);
		const final = await finalCallback(taskId);
		expect(final.query.secret).toBe(secret);
		expect(JSON.stringify(final.body)).toContain(secret);

		const v2 = chain([
			node(
				'Act-Two Trigger',
				ACT_TWO_TRIGGER,
				{ provider: 'liangxin', events: 'finished' },
				{ webhookId: 'act-two-hook', typeVersion: 2, credentials: nodeCredentials('liangxin') },
			),
			node('After', NO_OP_TYPE),
		]);
		const run = async (request: FakeRequest, creds = withSecret) =>
			await runTriggerWebhook(v2, 'Act-Two Trigger', request, {
				credentials: creds,
				staticData: {},
				execute: true,
			});
		const wrong = await run(replay(final, { query: { secret: URL_TOKEN } }));
		expect(wrong.httpResponse.statusCode).toBe(401);
		const call = await run(replay(final));
		const out = call.run!.outputs('After')[0].json;
		expect(out).toMatchObject({ taskId, status: 'succeeded', confirmed: true });
		expect(JSON.stringify([started.outputs('Act-Two'), out])).not.toContain(secret);
		// a v2 trigger whose credential has no secret accepts nothing
		const none = await run(replay(final), creds(sim));
		expect(none.httpResponse).toMatchObject({
			statusCode: 401,
			body: { reason: 'the trigger has no secret set' },
		});
	}));

it('without a credential on the trigger, confirmation cannot happen: the callback is used as received (confirmed: false)', () =>
	simTest(async (sim) => {
		const taskId = await render(sim, 'liangxin');
		const final = await finalCallback(taskId);
		const call = await fire(sim, 'liangxin', replay(final), {}, {}, false);
		expect(call.run!.outputs('After')[0].json).toMatchObject({
			taskId,
			status: 'succeeded',
			confirmed: false,
		});
		// Only the URL token protected it; no status read happened.
		expect(
			sim.requests().filter((r) => r.provider === 'liangxin' && r.method === 'GET'),
		).toHaveLength(0);
	}));
