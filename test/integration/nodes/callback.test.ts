/**
 * Create with "Until Callback": the execution parks (status waiting), the provider gets the execution's resume
 * URL as its callback URL, and the callbacks the simulator really sent are delivered to the resume webhook.
 */
import { ADAPTERS } from '../../../nodes/ActTwo/providers';
import {
	readBinary,
	resumeWaiting,
	resumeWebhook,
	runWorkflow,
	startWaitingWebhookServer,
	stopWaitingRuns,
} from '../../harness';
import type { RunResult } from '../../harness';
import type { RecordedRequest, SimProvider, Simulator } from '../../simulator';
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
import { rng } from '../../support/rng';

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

/** Where each provider's create carries its callback URL: a body field, or Muapi's ?webhook= query parameter. */
const CALLBACK_URL_FIELD: Record<
	'useapi' | 'liangxin' | 'comet' | 'muapi',
	(create: RecordedRequest) => unknown
> = {
	useapi: (r) => (r.body.json as Record<string, unknown>).replyUrl,
	liangxin: (r) => (r.body.json as Record<string, unknown>).callBackUrl,
	comet: (r) => (r.body.json as Record<string, unknown>).callback_url,
	muapi: (r) => new URL(r.path, 'http://sim').searchParams.get('webhook'),
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

describe.each([
	['useapi', 'binary'],
	['liangxin', 'task'],
	['comet', 'task'],
	['muapi', 'binary'],
] as const)('%s: Until Callback (output %s)', (provider, output) => {
	it('parks; the provider calls the resume URL; progress keeps waiting, a forged body gets 403, the final one resumes', () =>
		simTest(async (sim) => {
			const waiting = await park(sim, provider, output);
			// Parked until the timeout, nothing downstream ran yet.
			expect(waiting.waitTill!.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
			expect(waiting.runs('After')).toHaveLength(0);
			const [create] = createRequests(sim, provider);
			expect(CALLBACK_URL_FIELD[provider](create)).toBe(waiting.resumeUrl);
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
				// What starting it cost and found, as in the other modes.
				capacityWaitMs: 0,
			});
			expect(item.json).toHaveProperty('estimatedCredits');
			expect(item.json.estimatedCredits).toEqual(
				ADAPTERS[provider].creditPricing ? expect.any(Number) : null,
			);
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
			expect(item.json).toMatchObject({
				provider,
				taskId: sim.tasks()[0].id,
				timedOut: true,
				capacityWaitMs: 0,
			});
			expect(item.json).toHaveProperty('estimatedCredits');
			expect(['queued', 'running']).toContain(item.json.status);
		}));
});

function progressOf(provider: SimProvider, final: unknown): unknown {
	const body = JSON.parse(JSON.stringify(final)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	if (provider === 'liangxin')
		return { ...body, data: { ...body.data, state: 'generating', resultJson: '' } };
	if (provider === 'comet') return { ...body, status: '1', video_url: null };
	if (provider === 'muapi') return { ...body, status: 'processing', outputs: [] };
	return { ...body, status: 'RUNNING', artifacts: [] };
}

function forge(provider: SimProvider, final: unknown): unknown {
	const body = JSON.parse(JSON.stringify(final)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
	if (provider === 'liangxin')
		return { ...body, data: { ...body.data, taskId: 'task_runway_act_two_1' } };
	if (provider === 'comet') return { ...body, task_id: 'forged-task' };
	if (provider === 'muapi') return { ...body, id: 'forged-prediction-0000' };
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

// Muapi: the confirming read of a failed prediction is answered HTTP 400, which its adapter reads as the failure.
it.each(['liangxin', 'muapi'] as const)(
	'%s: a failed render resumes with the failed task and its moderation category',
	(provider) =>
		simTest(async (sim) => {
			sim.outcomes.next(provider, 'moderation');
			const waiting = await park(sim, provider);
			const final = await finalCallback(sim);
			const done = await resumeWebhook(waiting, { body: final.body });
			expect(done.run?.status).toBe('success');
			const [item] = done.run!.outputs('Act-Two');
			expect(item.json).toMatchObject({
				status: 'failed',
				timedOut: false,
				error: { category: 'moderation' },
			});
		}),
);

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
	it.each(['useapi', 'liangxin', 'muapi'] as const)(
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

// ---------------------------------------------------------------------------------------------------------
// Issue 9 (2): nothing that reaches the resume URL, and no provider outage, ends or errors the waiting execution.

/** The fuzz below draws the same cases on every run. */
const prng = (seed: number): (() => number) => rng(seed).next;

/** Values that break careless readers: coercion traps, out-of-range numbers and times, wrong types. */
const ODD_VALUES: unknown[] = [
	{ toString: 1 },
	{ valueOf: 1 },
	{ toString: {}, valueOf: {} },
	JSON.parse('{"__proto__":{"status":"SUCCEEDED"}}'),
	1e308,
	-1e308,
	8.64e15 + 1,
	1.7e18,
	-1,
	0,
	0.5,
	'',
	' ',
	'1e308',
	'not a date',
	'x'.repeat(20_000),
	'\u0000\ud800',
	[],
	['SUCCEEDED'],
	['success'],
	[null],
	{},
	null,
	true,
	false,
	'SUCCEEDED',
	'success',
	'fail',
	'3',
	501,
	{ url: 'https://evil.example.com/x.mp4' },
];

/** Every path (list of keys) in a JSON value, the root included. */
function paths(value: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
	out.push(prefix);
	if (value && typeof value === 'object' && prefix.length < 6)
		for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
	return out;
}

function setPath(root: unknown, path: string[], value: unknown, remove: boolean): unknown {
	if (path.length === 0) return value;
	const copy = JSON.parse(JSON.stringify(root)) as Record<string, unknown>;
	let at: Record<string, unknown> = copy;
	for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
	const last = path[path.length - 1];
	if (remove) delete at[last];
	else at[last] = value;
	return copy;
}

/** A genuine body with one to three fields replaced by odd values or removed, or wrapped whole. */
function mutate(body: unknown, rnd: () => number): unknown {
	const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
	if (rnd() < 0.05) return pick<unknown>([[body], { data: body }, JSON.stringify(body)]);
	let out = body;
	const times = 1 + Math.floor(rnd() * 3);
	for (let n = 0; n < times; n++) {
		const all = paths(out).filter((p) => p.length > 0);
		if (all.length === 0) break;
		out = setPath(out, pick(all), pick(ODD_VALUES), rnd() < 0.15);
	}
	return out;
}

describe.each([
	['useapi', 101],
	['liangxin', 202],
	['comet', 303],
	['muapi', 404],
] as const)('%s: the resume webhook under fuzzed callbacks', (provider, seed) => {
	it('600 mutated genuine callbacks for a task that still runs: every one answered (200/202/400/403), none throws, none resumes', () =>
		simTest(async (sim) => {
			// a genuine final callback of a finished render, as the template
			await park(sim, provider);
			const template = (await finalCallback(sim)).body;
			const firstId = sim.tasks()[0].id;
			// the execution under test waits for a render that never ends: nothing may resume it
			sim.outcomes.next(provider, 'stuck');
			const waiting = await park(sim, provider);
			const stuckId = sim.tasks()[1].id;
			const genuine = JSON.parse(JSON.stringify(template).split(firstId).join(stuckId)) as unknown;
			const query = { signature: new URL(waiting.resumeUrl).searchParams.get('signature')! };
			expect((await resumeWebhook(waiting, { body: genuine, query })).httpResponse.statusCode).toBe(
				202,
			);

			const rnd = prng(seed);
			const seen = new Map<number, number>();
			for (let n = 0; n < 600; n++) {
				const body = mutate(genuine, rnd);
				const answer = await resumeWebhook(waiting, { body, query });
				const status = answer.httpResponse.statusCode;
				seen.set(status, (seen.get(status) ?? 0) + 1);
				if (![200, 202, 400, 403].includes(status) || answer.run || answer.workflowData)
					throw new Error(
						`body #${n} answered ${status}${answer.run ? ' and resumed' : ''}: ${JSON.stringify(body).slice(0, 300)}`,
					);
			}
			// the fuzz reached both the parser's refusals and the API's confirmation
			expect(seen.get(400)).toBeGreaterThan(0);
			expect((seen.get(202) ?? 0) + (seen.get(200) ?? 0)).toBeGreaterThan(0);
		}));
});

it('the status API answers 503 during the final callback: 503 + Retry-After, still waiting; after the outage the retried callback resumes with the MP4', () =>
	simTest(async (sim) => {
		const waiting = await park(sim, 'useapi', 'binary');
		const final = await finalCallback(sim);
		sim.faults.add({
			provider: 'useapi',
			method: 'GET',
			path: /\/tasks\//,
			kind: 'status',
			status: 503,
		});
		const refused = await resumeWebhook(waiting, { body: final.body, query: final.query });
		expect(refused.httpResponse.statusCode).toBe(503);
		expect(refused.httpResponse.headers['retry-after']).toBe('10');
		expect(refused.httpResponse.body).toMatchObject({
			accepted: false,
			resumed: false,
			retry: true,
		});
		expect(JSON.stringify(refused.httpResponse.body)).toMatch(/could not confirm the task now/);
		expect(refused.run).toBeUndefined();
		expectNoSecrets(sim, refused.httpResponse);

		sim.faults.clear();
		const done = await resumeWebhook(waiting, { body: final.body, query: final.query });
		expect(done.run?.status).toBe('success');
		const [item] = done.run!.outputs('Act-Two');
		expect(item.json).toMatchObject({ status: 'succeeded', timedOut: false });
		expect(startsWithFtyp(await readBinary(item))).toBe(true);
	}));

it('the video download fails during the resume: resumes with the succeeded task, its videoUrl and downloadError (no binary)', () =>
	simTest(async (sim) => {
		const waiting = await park(sim, 'liangxin', 'binary');
		const final = await finalCallback(sim);
		sim.faults.add({ path: /\.mp4$/, method: 'GET', kind: 'status', status: 404 });
		const done = await resumeWebhook(waiting, { body: final.body, query: final.query });
		expect(done.run?.status).toBe('success');
		const [item] = done.run!.outputs('Act-Two');
		expect(item.json).toMatchObject({
			status: 'succeeded',
			timedOut: false,
			videoUrl: expect.stringMatching(/\.mp4/),
			downloadError: { message: expect.stringMatching(/could not be downloaded/) },
		});
		expect(item.binary).toBeUndefined();
	}));

it('a lost final callback (sent once, refused during an outage): the watch resumes the execution with the true state before the timeout', () =>
	withSim(
		async (sim) => {
			const server = await startWaitingWebhookServer();
			try {
				const waiting = await runWorkflow(
					workflow(
						items(1),
						actTwo(
							'liangxin',
							parameters(sim, 'liangxin', 'task', { options: { timeoutMinutes: 1 } }) as never,
						),
						{ after: true },
					),
					{ credentials: credentials(sim), ...server.runOptions() },
				);
				expect(waiting.status).toBe('waiting');
				sim.faults.add({
					provider: 'liangxin',
					method: 'GET',
					path: /recordInfo/,
					kind: 'status',
					status: 503,
				});
				const [lost] = await waitFor(() => {
					const finals = sim.callbacks().filter((c) => c.event === 'final');
					return finals.length > 0 && finals[0].status !== null ? finals : undefined;
				}, 20_000);
				expect(lost.status).toBe(503);
				expect(server.state(waiting.executionId)).toBe('waiting');
				sim.faults.clear();
				// the watch looks every 15 s for a 1 min timeout; the timeout would resume at waitTill
				const done = await server.waitForStatus(waiting.executionId, ['success', 'error'], 40_000);
				expect(Date.now()).toBeLessThan(waiting.waitTill!.getTime());
				expect(errorText(done)).toBe('');
				expect(done.outputs('After')[0].json).toMatchObject({
					status: 'succeeded',
					timedOut: false,
					taskId: sim.tasks()[0].id,
				});
				expect(sim.callbacks().filter((c) => c.event === 'final')).toHaveLength(1);
			} finally {
				await server.close();
			}
		},
		{
			// slow enough to park before it ends; the provider sends each callback once
			timing: { queuedMs: 1000, throttledMs: 0, runningMs: 3000, progressSteps: 2 },
			callbackRetry: { attempts: 1 },
		},
	));

it('the status API answers about another task during the final callback: 503, still waiting (the answer confirms nothing)', () =>
	simTest(async (sim) => {
		const waiting = await park(sim, 'useapi');
		const final = await finalCallback(sim);
		sim.faults.add({
			provider: 'useapi',
			method: 'GET',
			path: /\/tasks\//,
			kind: 'status',
			status: 200,
			body: forge('useapi', final.body),
		});
		const refused = await resumeWebhook(waiting, { body: final.body, query: final.query });
		expect(refused.httpResponse.statusCode).toBe(503);
		expect(refused.run).toBeUndefined();
		sim.faults.clear();
		const done = await resumeWebhook(waiting, { body: final.body, query: final.query });
		expect(done.run?.status).toBe('success');
		expect(done.run!.outputs('Act-Two')[0].json).toMatchObject({
			taskId: sim.tasks()[0].id,
			status: 'succeeded',
		});
	}));
