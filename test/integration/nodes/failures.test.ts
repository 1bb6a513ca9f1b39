/** Failed renders (moderation, credits), cancellation mid-poll, timeouts, and CometAPI's answer-shape quirks. */
import { runWorkflow, startWorkflow } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	expectNoSecrets,
	items,
	pairedIndex,
	PROVIDERS,
	QUICK_POLL,
	requests,
	sleep,
	urlInputs,
	waitFor,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

// Every test has its own simulator and runs concurrently with the others: most of the time is waiting.
const it = test.concurrent;

/** Not a real key: what a user might paste by mistake. */
const WRONG_KEY = ['key', 'wrong', '0123456789abcdef'].join('_');

const poll = (sim: Simulator, extra: Record<string, unknown> = {}) =>
	urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL, ...extra });

const MODERATION_REASON: Record<SimProvider, RegExp> = {
	runway: /^Runway: Your input image did not pass our content moderation/,
	useapi: /^useapi\.net: Your input did not pass our content moderation/,
	comet: /^CometAPI: Your input image did not pass our content moderation/,
	liangxin: /^LiangXin: Your input was flagged by content moderation \(SAFETY\.INPUT\.IMAGE\)/,
	aiml: /^AIML API: Your input image did not pass our content moderation/,
	muapi: /^Muapi: Your input image did not pass our content moderation/,
};

describe.each(PROVIDERS)('%s: moderation failure', (provider) => {
	it('without Continue On Fail → the run fails with the provider reason, category moderation', () =>
		withSim(async (sim) => {
			sim.outcomes.next(provider, 'moderation');
			const result = await runWorkflow(workflow(items(1), actTwo(provider, poll(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(MODERATION_REASON[provider]);
			expect(errorText(result)).toMatch(/\(category: moderation/);
			expect(errorText(result)).toMatch(/Do not retry the same inputs/);
			expectNoSecrets(sim, result.data, result.error);
		}));

	it('with the error output → that item fails with category moderation and its task; the other succeeds', () =>
		withSim(async (sim) => {
			sim.outcomes.next(provider, 'moderation');
			const result = await runWorkflow(
				workflow(
					items(2),
					actTwo(provider, poll(sim, { options: { ...QUICK_POLL, concurrency: 1 } }) as never, {
						onError: 'continueErrorOutput',
					}),
					{ after: true, errorBranch: true },
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('success');
			const [failed] = result.outputs('Act-Two', 1);
			const ok = result.outputs('Act-Two', 0);
			expect(pairedIndex(failed)).toBe(0);
			expect(failed.json.error).toMatch(MODERATION_REASON[provider]);
			const details = failed.json.details as {
				category: string;
				task: { status: string; taskId: string };
			};
			expect(details.category).toBe('moderation');
			expect(details.task).toMatchObject({ status: 'failed', taskId: sim.tasks()[0].id });
			expect(ok.map(pairedIndex)).toEqual([1]);
			expect(ok[0].json.status).toBe('succeeded');
			expectNoSecrets(sim, result.data);
		}));
});

describe('no credits → category credits, nothing started', () => {
	it.each([
		['useapi', 412, /^useapi\.net: You do not have enough credits/],
		['liangxin', 402, /^LiangXin: Credits insufficient$/],
		['comet', 403, /^CometAPI: user quota is not enough/],
		['runway', 400, /^Runway: You do not have enough credits/],
		['aiml', 403, /^AIML API: You've run out of credits/],
		['muapi', 402, /^Muapi: Insufficient credits\. Please top up your balance/],
	] as Array<[SimProvider, number, RegExp]>)('%s (HTTP %i)', (provider, status, message) =>
		withSim(async (sim) => {
			sim.outcomes.next(provider, 'no_credits');
			const result = await runWorkflow(workflow(items(1), actTwo(provider, poll(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
			expect(errorText(result)).toMatch(/category: credits/);
			expect(errorText(result)).toMatch(/Top it up/);
			expect(createRequests(sim, provider).map((r) => r.status)).toEqual([status]);
			expect(sim.tasks()).toHaveLength(0);
			expectNoSecrets(sim, result.data, result.error);
		}),
	);

	it('LiangXin gateway answering HTTP 200 with {code: 402} in the body: same result', () =>
		withSim(
			async (sim) => {
				sim.outcomes.next('liangxin', 'no_credits');
				const result = await runWorkflow(
					workflow(items(1), actTwo('liangxin', urlInputs(sim) as never)),
					{
						credentials: credentials(sim),
					},
				);
				expect(result.status).toBe('error');
				expect(createRequests(sim, 'liangxin')[0].status).toBe(200);
				expect(errorText(result)).toMatch(/category: credits/);
			},
			{ liangxinErrorHttpStatus: '200' },
		));
});

it('a bad API key at run time → category auth, and the key is not in the error', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(workflow(items(1), actTwo('runway', poll(sim) as never)), {
			credentials: {
				...credentials(sim),
				runwayApi: { apiKey: WRONG_KEY, baseUrl: sim.baseUrls.runway },
			},
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Runway: Invalid API key/);
		expect(errorText(result)).toMatch(/category: auth/);
		expect(JSON.stringify(result.data)).not.toContain(WRONG_KEY);
	}));

describe('cancelling the execution mid-poll', () => {
	it.each(['runway', 'liangxin'] as const)(
		'%s: stops promptly; no status read after the cancel',
		(provider) =>
			withSim(async (sim) => {
				sim.outcomes.next(provider, 'stuck');
				const handle = await startWorkflow(
					workflow(
						items(1),
						actTwo(provider, poll(sim, { options: { ...QUICK_POLL, timeoutMinutes: 5 } }) as never),
					),
					{ credentials: credentials(sim) },
				);
				const reads = () => requests(sim, provider, 'GET');
				await waitFor(() => reads().length >= 1, 5000);
				const cancelledAt = Date.now();
				handle.cancel();
				const result = await handle.result;
				expect(result.status).toBe('canceled');
				expect(Date.now() - cancelledAt).toBeLessThan(1500);
				const readsAtCancel = reads().length;
				await sleep(1300); // more than one poll interval
				expect(reads().length).toBe(readsAtCancel);
				expect(reads().every((r) => r.at <= cancelledAt + 50)).toBe(true);
				expect(result.runs('Act-Two')[0]?.data?.main?.[0] ?? []).toEqual([]);
			}),
	);
});

describe('timeout', () => {
	const stuck = (sim: Simulator, onTimeout: 'error' | 'output') =>
		poll(sim, { options: { pollInterval: 1, pollJitter: 0, timeoutMinutes: 0.03, onTimeout } });

	it('onTimeout "error" → a timeout error naming the task and its last status', () =>
		withSim(async (sim) => {
			sim.outcomes.next('runway', 'stuck');
			const started = Date.now();
			const result = await runWorkflow(
				workflow(items(1), actTwo('runway', stuck(sim, 'error') as never)),
				{
					credentials: credentials(sim),
				},
			);
			expect(result.status).toBe('error');
			const taskId = sim.tasks()[0].id;
			expect(result.error?.message).toBe(
				`Runway: Task ${taskId} did not finish within 0.03 minutes (last status: running)`,
			);
			expect(errorText(result)).toMatch(/category: timeout/);
			expect(Date.now() - started).toBeLessThan(5000);
		}));

	it('onTimeout "output" → the item with timedOut: true and the last status, while finished items are normal', () =>
		withSim(async (sim) => {
			sim.outcomes.next('useapi', 'stuck');
			const result = await runWorkflow(
				workflow(items(2), actTwo('useapi', stuck(sim, 'output') as never)),
				{
					credentials: credentials(sim),
				},
			);
			expect(errorText(result)).toBe('');
			const out = result.outputs('Act-Two');
			expect(out.map(pairedIndex)).toEqual([0, 1]);
			const stuckTask = sim.tasks().find((t) => t.outcome === 'stuck')!;
			const timedOut = out.find((i) => i.json.taskId === stuckTask.id)!;
			expect(timedOut.json).toMatchObject({ timedOut: true, status: 'running', videoUrl: null });
			const done = out.find((i) => i.json.taskId !== stuckTask.id)!;
			expect(done.json).toMatchObject({ timedOut: false, status: 'succeeded' });
		}));

	it('a status read told to come back in 30 s does not hold the node past its timeout', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'GET',
				path: '/v1/tasks/',
				kind: 'rate_limit',
				retryAfter: 30,
			});
			const started = Date.now();
			const result = await runWorkflow(
				workflow(items(1), actTwo('runway', stuck(sim, 'error') as never)),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			const taskId = sim.tasks()[0].id;
			expect(result.error?.message).toMatch(
				new RegExp(
					`^Runway: Task ${taskId} did not finish within 0.03 minutes \\(last status: queued\\); its last status read failed: `,
				),
			);
			expect(Date.now() - started).toBeLessThan(6000);
		}));
});

describe('CometAPI quirks', () => {
	const NATIVE = { cometTaskShape: 'native', cometFeedShape: 'wrapped' } as const;
	const actOne = (sim: Simulator) =>
		urlInputs(sim, {
			model: 'act_one',
			waitForCompletion: 'poll',
			createOptions: { callbackUrl: 'https://hooks.example.com/comet' },
			options: QUICK_POLL,
		});

	it('task_not_exist right after create is tolerated while polling', () =>
		withSim(async (sim) => {
			sim.faults.add({ provider: 'comet', kind: 'task_not_exist', times: 2 });
			const result = await runWorkflow(workflow(items(1), actTwo('comet', poll(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
			const reads = requests(sim, 'comet', 'GET', /\/runwayml\/v1\/tasks\//);
			expect(reads.slice(0, 2).map((r) => r.fault)).toEqual(['task_not_exist', 'task_not_exist']);
			expect(reads.length).toBeGreaterThanOrEqual(3);
		}));

	it('the gateway-wrapped task shape (default) → normalized, raw kept', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(workflow(items(1), actTwo('comet', poll(sim) as never)), {
				credentials: credentials(sim),
			});
			const [item] = result.outputs('Act-Two');
			expect(item.json).toMatchObject({
				status: 'succeeded',
				videoUrl: expect.stringMatching(/\.mp4/),
			});
			expect(item.json.raw).toMatchObject({
				code: 'success',
				data: { status: 'SUCCESS', data: { status: 'SUCCEEDED' } },
			});
		}));

	it('the Runway-native task shape → the same normalized task', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(workflow(items(1), actTwo('comet', poll(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(errorText(result)).toBe('');
			const [item] = result.outputs('Act-Two');
			expect(item.json).toMatchObject({
				provider: 'comet',
				status: 'succeeded',
				videoUrl: expect.stringMatching(/\.mp4/),
			});
			expect(item.json.raw).toMatchObject({ status: 'SUCCEEDED', output: [expect.any(String)] });
		}, NATIVE));

	it('Act-One: the legacy numeric-status feed (default)', () =>
		withSim(async (sim) => {
			const legacy = await runWorkflow(workflow(items(1), actTwo('comet', actOne(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(errorText(legacy)).toBe('');
			expect(legacy.outputs('Act-Two')[0].json).toMatchObject({
				model: 'act_one',
				status: 'succeeded',
				videoUrl: expect.stringMatching(/\.mp4$/),
				raw: { code: 200, data: { status: '3' } },
			});
		}));

	it('Act-One: the gateway-wrapped feed', () =>
		withSim(async (sim) => {
			const wrapped = await runWorkflow(workflow(items(1), actTwo('comet', actOne(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(errorText(wrapped)).toBe('');
			expect(wrapped.outputs('Act-Two')[0].json).toMatchObject({
				model: 'act_one',
				status: 'succeeded',
				videoUrl: expect.stringMatching(/\.mp4$/),
				raw: { code: 'success' },
			});
		}, NATIVE));

	it('Act-One legacy failure (status "2") → failed with the reason, category moderation', () =>
		withSim(async (sim) => {
			sim.outcomes.next('comet', 'moderation');
			const result = await runWorkflow(workflow(items(1), actTwo('comet', actOne(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				'CometAPI: The input image or video did not pass content moderation, points refunded',
			);
			expect(errorText(result)).toMatch(/category: moderation/);
		}));
});
