 
/**
 * Create with "Until Callback": the execution parks (status waiting), the provider gets the execution's resume
 * URL as its callback URL, and the callbacks the simulator really sent are delivered to the resume webhook.
 */
import {
	readBinary,
	resumeWaiting,
	resumeWebhook,
	runWorkflow,
	startWaitingWebhookServer,
	stopWaitingRuns,
} from '../../harness';
import type { RunResult } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	expectNoSecrets,
	items,
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

// Every test has its own simulator and runs concurrently with the others; they share one receiver (playing the
// n8n instance) and pick their callbacks out by task ID.
const it = test.concurrent;
const simTest = (fn: (sim: Simulator) => Promise<void>) =>
	withSim(fn, { callbackRetry: { attempts: 1, baseDelayMs: 10 } });

let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
	hook = await receiver();
});
afterAll(async () => {
	stopWaitingRuns();
	await hook.close();
});

/** The receiver plays the n8n instance: resume URLs point at it, so it captures what the provider posts. */
const instanceBaseUrl = () => hook.url.replace(/hook$/, '');

const CALLBACK_URL_FIELD: Record<
	'useapi' | 'liangxin' | 'comet',
	(body: Record<string, unknown>) => unknown
> = {
	useapi: (b) => b.replyUrl,
	liangxin: (b) => b.callBackUrl,
	comet: (b) => b.callback_url,
};

function parameters(
	sim: Simulator,
	provider: SimProvider,
	output: 'task' | 'binary' = 'task',
	extra: Record<string, unknown> = {},
) {
	return urlInputs(sim, {
		...(provider === 'comet' ? { model: 'act_one' } : {}),
		waitForCompletion: 'callback',
		output,
		options: { timeoutMinutes: 5 },
		...extra,
	});
}

async function park(
	sim: Simulator,
	provider: SimProvider,
	output: 'task' | 'binary' = 'task',
): Promise<RunResult> {
	const waiting = await runWorkflow(
		workflow(items(1), actTwo(provider, parameters(sim, provider, output) as never), {
			after: true,
		}),
		{
			credentials: credentials(sim),
			instanceBaseUrl: instanceBaseUrl(),
		},
	);
	expect(errorText(waiting)).toBe('');
	expect(waiting.status).toBe('waiting');
	return waiting;
}

const finalCallback = async (sim: Simulator): Promise<Received> => {
	const task = sim.tasks()[0];
	await waitFor(() => task && sim.callbacks().some((c) => c.event === 'final'), 5000);
	return await waitFor(
		() => hook.received.find((r) => bodyTaskId(r.body) === task.id && isFinal(r.body)),
		2000,
	);
};

const bodyTaskId = (b: unknown): string | undefined => {
	const o = b as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	return o?.taskId ?? o?.task_id ?? o?.data?.taskId;
};
const isFinal = (b: unknown): boolean => {
	const o = b as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	return (
		['SUCCEEDED', 'FAILED'].includes(o?.status) ||
		['2', '3'].includes(o?.status) ||
		['success', 'fail'].includes(o?.data?.state)
	);
};

describe.each([
	['useapi', 'binary'],
	['liangxin', 'task'],
	['comet', 'task'],
] as const)('%s: Until Callback (output %s)', (provider, output) => {
	it('parks; the provider calls the resume URL; progress keeps waiting, a forged body gets 403, the final one resumes', () =>
		simTest(async (sim) => {
			const waiting = await park(sim, provider, output);
			// Parked until the timeout, nothing downstream ran yet.
			expect(waiting.waitTill!.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
			expect(waiting.runs('After')).toHaveLength(0);
			const [create] = createRequests(sim, provider);
			expect(CALLBACK_URL_FIELD[provider](create.body.json as Record<string, unknown>)).toBe(
				waiting.resumeUrl,
			);
			expect(sim.tasks()[0].callbackUrl).toBe(waiting.resumeUrl);
			const taskId = sim.tasks()[0].id;

			// The provider really posted to the resume URL (path /webhook-waiting/<id>, the signature kept).
			const final = await finalCallback(sim);
			expect(final.path).toBe(`/webhook-waiting/${waiting.executionId}`);
			expect(final.query.signature).toBe(new URL(waiting.resumeUrl).searchParams.get('signature'));

			// A progress callback: answered, still waiting.
			const recordedProgress = hook.received.find(
				(r) => bodyTaskId(r.body) === taskId && !isFinal(r.body),
			);
			const progressBody = recordedProgress?.body ?? progressOf(provider, final.body);
			const progress = await resumeWebhook(waiting, { body: progressBody, query: final.query });
			expect(progress.httpResponse.statusCode).toBe(200);
			expect(progress.httpResponse.body).toMatchObject({ accepted: true, resumed: false });
			expect(progress.run).toBeUndefined();

			// A forged body about another task: 403, still waiting.
			const forged = await resumeWebhook(waiting, {
				body: forge(provider, final.body),
				query: final.query,
			});
			expect(forged.httpResponse.statusCode).toBe(403);
			expect(forged.httpResponse.body).toMatchObject({ accepted: false });
			expect(forged.run).toBeUndefined();

			// Not a callback body at all: 400.
			const junk = await resumeWebhook(waiting, { body: { hello: 'world' }, query: final.query });
			expect(junk.httpResponse.statusCode).toBe(400);
			expect(junk.run).toBeUndefined();

			// The real terminal callback resumes the execution with the normalized task.
			const done = await resumeWebhook(waiting, {
				body: final.body,
				headers: final.headers as never,
				query: final.query,
			});
			expect(done.response.webhookResponse).toEqual({
				accepted: true,
				resumed: true,
				status: 'succeeded',
			});
			expect(done.run?.status).toBe('success');
			expect(done.run?.executionId).toBe(waiting.executionId);
			const [item] = done.run!.outputs('Act-Two');
			expect(item.json).toMatchObject({
				provider,
				taskId,
				status: 'succeeded',
				timedOut: false,
				videoUrl: expect.stringMatching(/\.mp4/),
			});
			expect(done.run!.outputs('After')).toHaveLength(1);
			if (output === 'binary') {
				const bytes = await readBinary(item);
				expect(startsWithFtyp(bytes)).toBe(true);
				expect(bytes.equals(OUTPUT)).toBe(true);
			} else {
				expect(item.binary).toBeUndefined();
			}
			expectNoSecrets(
				sim,
				waiting.data,
				done.run!.data,
				progress.httpResponse,
				forged.httpResponse,
			);
		}));

	it('timeout: resuming at waitTill yields the item with timedOut: true and the taskId', () =>
		simTest(async (sim) => {
			const waiting = await park(sim, provider, output);
			const resumed = await resumeWaiting(waiting);
			expect(resumed.status).toBe('success');
			const [item] = resumed.outputs('After');
			expect(item.json).toMatchObject({ provider, taskId: sim.tasks()[0].id, timedOut: true });
			expect(['queued', 'running']).toContain(item.json.status);
		}));
});

function progressOf(provider: SimProvider, final: unknown): unknown {
	const body = JSON.parse(JSON.stringify(final)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	if (provider === 'liangxin')
		return { ...body, data: { ...body.data, state: 'generating', resultJson: '' } };
	if (provider === 'comet') return { ...body, status: '1', video_url: null };
	return { ...body, status: 'RUNNING', artifacts: [] };
}

function forge(provider: SimProvider, final: unknown): unknown {
	const body = JSON.parse(JSON.stringify(final)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	if (provider === 'liangxin')
		return { ...body, data: { ...body.data, taskId: 'task_runway_act_two_1' } };
	if (provider === 'comet') return { ...body, task_id: 'forged-task' };
	return {
		...body,
		taskId: 'user:4242-runwayml:x@example.com-task:00000000-0000-0000-0000-000000000000',
	};
}

it('a "succeeded" callback the API does not confirm (the task still runs) → 202, still waiting', () =>
	simTest(async (sim) => {
		sim.outcomes.next('useapi', 'stuck');
		const waiting = await park(sim, 'useapi');
		const taskId = sim.tasks()[0].id;
		const fake = {
			taskId,
			status: 'SUCCEEDED',
			artifacts: [{ url: 'https://evil.example.com/x.mp4' }],
		};
		const answer = await resumeWebhook(waiting, { body: fake });
		expect(answer.httpResponse.statusCode).toBe(202);
		expect(answer.httpResponse.body).toMatchObject({
			accepted: true,
			resumed: false,
			reason: 'not confirmed by the API yet',
		});
		expect(answer.run).toBeUndefined();
	}));

it('a failed render resumes with the failed task and its moderation category', () =>
	simTest(async (sim) => {
		sim.outcomes.next('liangxin', 'moderation');
		const waiting = await park(sim, 'liangxin');
		const final = await finalCallback(sim);
		const done = await resumeWebhook(waiting, { body: final.body });
		expect(done.run?.status).toBe('success');
		const [item] = done.run!.outputs('Act-Two');
		expect(item.json).toMatchObject({
			status: 'failed',
			timedOut: false,
			error: { category: 'moderation' },
		});
	}));

it('a batch of 2 items in callback mode is refused up front, telling how to do it instead; nothing created', () =>
	simTest(async (sim) => {
		const result = await runWorkflow(
			workflow(items(2), actTwo('useapi', parameters(sim, 'useapi') as never)),
			{
				credentials: credentials(sim),
				instanceBaseUrl: instanceBaseUrl(),
			},
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'"Until Callback" waits for one render per execution; this node received 2 items',
		);
		expect(errorText(result)).toMatch(/Poll Until Done/);
		expect(errorText(result)).toMatch(/Loop Over Items/);
		expect(sim.requests().filter((r) => r.provider === 'useapi')).toHaveLength(0);
	}));

it('Runway in callback mode → a clear error, nothing sent', () =>
	simTest(async (sim) => {
		const result = await runWorkflow(
			workflow(items(1), actTwo('runway', parameters(sim, 'runway') as never)),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Runway does not call back');
		expect(sim.requests().filter((r) => r.provider === 'runway')).toHaveLength(0);
	}));

it('a Callback URL option together with Until Callback is refused (the node sets the resume URL itself)', () =>
	simTest(async (sim) => {
		const result = await runWorkflow(
			workflow(
				items(1),
				actTwo(
					'useapi',
					parameters(sim, 'useapi', 'task', {
						createOptions: { callbackUrl: 'https://x.example.com/h' },
					}) as never,
				),
			),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Callback URL cannot be set when waiting until the callback',
		);
		expect(createRequests(sim, 'useapi')).toHaveLength(0);
	}));

describe('over real HTTP: the simulator calls the harness waiting-webhook server', () => {
	it.each(['useapi', 'liangxin'] as const)(
		'%s: the execution resumes by itself when the render ends',
		(provider) =>
			simTest(async (sim) => {
				const server = await startWaitingWebhookServer();
				try {
					const waiting = await runWorkflow(
						workflow(items(1), actTwo(provider, parameters(sim, provider, 'binary') as never), {
							after: true,
						}),
						{
							credentials: credentials(sim),
							...server.runOptions(),
						},
					);
					expect(waiting.status).toBe('waiting');
					const done = await server.waitForStatus(
						waiting.executionId,
						['success', 'error'],
						10_000,
					);
					expect(errorText(done)).toBe('');
					const [item] = done.outputs('After');
					expect(item.json).toMatchObject({ status: 'succeeded', timedOut: false });
					expect(startsWithFtyp(await readBinary(item))).toBe(true);
					// Every callback was answered 2xx (progress → 200 not resumed, final → resumed).
					const answered = (await sim.callbacksSettled()).map((c) => c.status);
					expect(answered.length).toBeGreaterThan(0);
					expect(answered.every((s) => s !== null && s >= 200 && s < 300)).toBe(true);
				} finally {
					await server.close();
				}
			}),
	);
});

it('CometAPI Act-Two in callback mode → refused before sending (its Runway-format route takes no callback URL)', () =>
	simTest(async (sim) => {
		const result = await runWorkflow(
			workflow(
				items(1),
				actTwo(
					'comet',
					urlInputs(sim, { model: 'act_two', waitForCompletion: 'callback' }) as never,
				),
			),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/CometAPI Act-Two renders do not call back/);
		expect(sim.requests().filter((r) => r.provider === 'comet')).toHaveLength(0);
	}));
