/** Batches: bounded concurrency, 429 / 5xx handling, no duplicate creates, errors routed per item. */
import { runWorkflow } from '../../harness';

import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	expectNoSecrets,
	items,
	pairedIndex,
	QUICK_POLL,
	requests,
	urlInputs,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(60_000);

// Every test has its own simulator and runs concurrently with the others.
const it = test.concurrent;

const CREATE = '/v1/character_performance';

it('120 items, concurrency 4, 429s (with and without Retry-After) and 5xx on reads → all 120 succeed, paired, exactly 120 renders', () =>
	withSim(async (sim) => {
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: CREATE,
			kind: 'rate_limit',
			retryAfter: 1,
			times: 3,
		});
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: CREATE,
			kind: 'rate_limit',
			times: 3,
		});
		sim.faults.add({
			provider: 'runway',
			method: 'GET',
			path: '/v1/tasks/',
			kind: 'server_error',
			status: 503,
			times: 6,
		});
		sim.faults.add({
			provider: 'runway',
			method: 'GET',
			path: '/v1/tasks/',
			kind: 'rate_limit',
			retryAfter: 0,
			times: 4,
		});
		sim.faults.add({
			provider: 'runway',
			method: 'GET',
			path: '/v1/tasks/',
			kind: 'server_error',
			status: 502,
			times: 2,
		});

		// Track how many creates are in flight at once, from the simulator's point of view.
		const started = Date.now();
		const result = await runWorkflow(
			workflow(
				items(120),
				actTwo(
					'runway',
					urlInputs(sim, {
						waitForCompletion: 'poll',
						output: 'url',
						options: { ...QUICK_POLL, concurrency: 4 },
					}) as never,
				),
			),
			{ credentials: credentials(sim) },
		);
		expect(errorText(result)).toBe('');
		expect(result.status).toBe('success');
		const out = result.outputs('Act-Two');
		expect(out).toHaveLength(120);
		expect(out.map(pairedIndex)).toEqual(Array.from({ length: 120 }, (_, i) => i));
		expect(
			out.every((i) => i.json.status === 'succeeded' && typeof i.json.videoUrl === 'string'),
		).toBe(true);

		// Exactly one render per item: 120 tasks, 120 distinct IDs, every output its own task.
		expect(sim.tasks()).toHaveLength(120);
		expect(new Set(out.map((i) => i.json.taskId)).size).toBe(120);
		const creates = createRequests(sim, 'runway');
		expect(creates.filter((r) => r.status === 200)).toHaveLength(120);
		expect(creates.filter((r) => r.status === 429)).toHaveLength(6);
		expect(creates).toHaveLength(126);
		// The reads were retried through the injected 5xx and 429.
		const reads = requests(sim, 'runway', 'GET', /\/v1\/tasks\//);
		expect(reads.filter((r) => r.status === 503)).toHaveLength(6);
		expect(reads.filter((r) => r.status === 502)).toHaveLength(2);
		expect(Date.now() - started).toBeLessThan(40_000);
		expectNoSecrets(sim, result.data);
	}));

it('creates never exceed the Concurrency option in flight', () =>
	withSim(async (sim) => {
		// Each create takes 150 ms at the simulator; with concurrency 3, at most 3 overlap.
		sim.faults.add({ provider: 'runway', method: 'POST', path: CREATE, kind: 'delay', ms: 150 });
		const result = await runWorkflow(
			workflow(
				items(9),
				actTwo('runway', urlInputs(sim, { options: { concurrency: 3 } }) as never),
			),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('success');
		const starts = createRequests(sim, 'runway').map((r) => r.at);
		// Recorded at arrival: the 4th create can only arrive after one of the first three answered (~150 ms later).
		const sorted = [...starts].sort((a, b) => a - b);
		expect(sorted[3] - sorted[0]).toBeGreaterThanOrEqual(120);
		expect(sorted[6] - sorted[3]).toBeGreaterThanOrEqual(120);
	}));

it('a 429 with Retry-After: 1 on create is retried after about a second (it started nothing)', () =>
	withSim(async (sim) => {
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: CREATE,
			kind: 'rate_limit',
			retryAfter: 1,
			times: 1,
		});
		const result = await runWorkflow(
			workflow(items(1), actTwo('runway', urlInputs(sim) as never)),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('success');
		const [first, second] = createRequests(sim, 'runway');
		expect(first.status).toBe(429);
		expect(second.status).toBe(200);
		expect(second.at - first.at).toBeGreaterThanOrEqual(950);
		expect(sim.tasks()).toHaveLength(1);
	}));

describe('a 5xx on create is not retried (the render may have started; a retry could bill twice)', () => {
	it('without Continue On Fail: the run fails, saying so; exactly one create attempt', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: CREATE,
				kind: 'server_error',
				status: 502,
				times: 1,
			});
			const result = await runWorkflow(
				workflow(
					items(3),
					actTwo('runway', urlInputs(sim, { options: { concurrency: 1 } }) as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				'Runway: The service is temporarily unavailable. Please try again later.',
			);
			expect(errorText(result)).toMatch(
				/a create is never retried, to avoid billing a second render/,
			);
			expect(errorText(result)).toMatch(/category: provider/);
			// Item 0 failed; no new item starts after the first failure.
			expect(createRequests(sim, 'runway')).toHaveLength(1);
			expect(sim.tasks()).toHaveLength(0);
		}));

	it('with the error output: that item goes to output 1 after one attempt, the others complete', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: CREATE,
				kind: 'server_error',
				status: 500,
				times: 1,
			});
			const result = await runWorkflow(
				workflow(
					items(3),
					actTwo(
						'runway',
						urlInputs(sim, {
							waitForCompletion: 'poll',
							options: { ...QUICK_POLL, concurrency: 1 },
						}) as never,
						{
							onError: 'continueErrorOutput',
						},
					),
					{ after: true, errorBranch: true },
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('success');
			const ok = result.outputs('Act-Two', 0);
			const failed = result.outputs('Act-Two', 1);
			expect(ok.map(pairedIndex)).toEqual([1, 2]);
			expect(ok.map((i) => i.json.status)).toEqual(['succeeded', 'succeeded']);
			expect(failed).toHaveLength(1);
			expect(pairedIndex(failed[0])).toBe(0);
			// n8n merges the input item's JSON into an error-output item; the node's own error JSON survives whole.
			expect(failed[0].json).toMatchObject({
				n: 0,
				error: 'Runway: The service is temporarily unavailable. Please try again later.',
				details: { category: 'provider', code: '500' },
			});
			expect(String((failed[0].json.details as { description: string }).description)).toMatch(
				/never retried/,
			);
			const creates = createRequests(sim, 'runway');
			expect(creates.map((r) => r.status)).toEqual([500, 200, 200]);
			expect(result.outputs('Errors')).toHaveLength(1);
			expect(result.outputs('After')).toHaveLength(2);
		}));

	it('a connection dropped after the provider accepted the create: one attempt, the error says the outcome is unknown', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: CREATE,
				kind: 'drop',
				when: 'after',
				times: 1,
			});
			const result = await runWorkflow(
				workflow(items(1), actTwo('runway', urlInputs(sim) as never)),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/^Runway: Could not get an answer from the provider/);
			expect(createRequests(sim, 'runway')).toHaveLength(1);
			// The simulator did start that render: exactly why the node must not retry it.
			expect(sim.tasks()).toHaveLength(1);
		}));
});

it('a create that fails after others started: the error lists the renders already started', () =>
	withSim(async (sim) => {
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: CREATE,
			kind: 'status',
			status: 400,
			body: { error: 'Invalid request body: reference.uri: nope' },
			times: 1,
		});
		// Item 0 is rejected, but items started concurrently must not be lost.
		const result = await runWorkflow(
			workflow(
				items(2),
				actTwo('runway', urlInputs(sim, { options: { concurrency: 2 } }) as never),
			),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Runway: Invalid request body: reference.uri: nope');
		expect(errorText(result)).toMatch(/category: invalid_input/);
		const [task] = sim.tasks();
		expect(errorText(result)).toContain(
			`Renders already started by this node (use Get or Wait with these IDs): item 1: ${task.id}`,
		);
	}));

it("a status-read outage longer than one read's retries does not fail the render: it is read again next round", () =>
	withSim(async (sim) => {
		// 8 answers of 429 (Retry-After: 0) in a row: more than the 6 attempts of one read.
		sim.faults.add({
			provider: 'runway',
			method: 'GET',
			path: '/v1/tasks/',
			kind: 'rate_limit',
			retryAfter: 0,
			times: 8,
		});
		const result = await runWorkflow(
			workflow(
				items(1),
				actTwo(
					'runway',
					urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }) as never,
				),
			),
			{ credentials: credentials(sim) },
		);
		expect(errorText(result)).toBe('');
		expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
		const reads = requests(sim, 'runway', 'GET', /\/v1\/tasks\//);
		expect(reads.filter((r) => r.status === 429)).toHaveLength(8);
		expect(reads.at(-1)?.status).toBe(200);
	}));

it('a read that fails for good (404: the task is gone) fails that item at once', () =>
	withSim(async (sim) => {
		sim.faults.add({
			provider: 'runway',
			method: 'GET',
			path: '/v1/tasks/',
			kind: 'status',
			status: 404,
			body: { error: 'Task not found' },
		});
		const started = Date.now();
		const result = await runWorkflow(
			workflow(
				items(1),
				actTwo(
					'runway',
					urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }) as never,
				),
			),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Runway: Task not found');
		expect(errorText(result)).toMatch(/category: not_found/);
		expect(requests(sim, 'runway', 'GET', /\/v1\/tasks\//)).toHaveLength(1);
		expect(Date.now() - started).toBeLessThan(5000);
	}));

it('status reads failing until the timeout → a timeout error that says the reads were failing', () =>
	withSim(async (sim) => {
		sim.faults.add({
			provider: 'runway',
			method: 'GET',
			path: '/v1/tasks/',
			kind: 'rate_limit',
			retryAfter: 0,
		});
		const result = await runWorkflow(
			workflow(
				items(1),
				actTwo(
					'runway',
					urlInputs(sim, {
						waitForCompletion: 'poll',
						options: { ...QUICK_POLL, timeoutMinutes: 0.03 },
					}) as never,
				),
			),
			{ credentials: credentials(sim) },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/^Runway: Task .+ did not finish within 0\.03 minutes \(last status: queued\); its last status read failed: Your daily task limit has been reached\.$/,
		);
		expect(errorText(result)).toMatch(/category: timeout/);
	}));

it('useapi.net: a batch above the account\'s maxJobs gets "busy" 429s on create; they are retried and every item renders once', () =>
	withSim(
		async (sim) => {
			const result = await runWorkflow(
				workflow(
					items(6),
					actTwo(
						'useapi',
						urlInputs(sim, {
							waitForCompletion: 'poll',
							options: { ...QUICK_POLL, concurrency: 4 },
						}) as never,
					),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two').map((i) => i.json.status)).toEqual(
				Array(6).fill('succeeded'),
			);
			const creates = createRequests(sim, 'useapi');
			expect(creates.filter((r) => r.status === 429).length).toBeGreaterThan(0);
			expect(creates.filter((r) => r.status === 200)).toHaveLength(6);
			expect(sim.tasks()).toHaveLength(6);
		},
		{ useapiMaxJobs: 2 },
	));

describe('n8n "Retry On Fail" re-runs the node: renders of earlier tries are taken up, not started again', () => {
	const RETRY = { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 };

	it('a batch stopped by a 502 on its second create: the retry starts only the two renders still missing', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: CREATE,
				kind: 'delay',
				ms: 0,
				times: 1,
			});
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: CREATE,
				kind: 'server_error',
				status: 502,
				times: 1,
			});
			const result = await runWorkflow(
				workflow(
					items(3),
					actTwo('runway', urlInputs(sim, { options: { concurrency: 1 } }) as never, RETRY),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			const out = result.outputs('Act-Two');
			expect(out.map(pairedIndex)).toEqual([0, 1, 2]);
			expect(new Set(out.map((i) => i.json.taskId)).size).toBe(3);
			expect(createRequests(sim, 'runway').map((r) => r.status)).toEqual([200, 502, 200, 200]);
			expect(
				sim
					.tasks()
					.map((t) => t.id)
					.sort(),
			).toEqual(out.map((i) => i.json.taskId).sort());
		}));

	it('Continue On Fail with an error item first (n8n re-runs the node for it): only that item is tried again', () =>
		withSim(async (sim) => {
			sim.outcomes.next('useapi', 'no_credits');
			const result = await runWorkflow(
				workflow(
					items(3),
					actTwo('useapi', urlInputs(sim, { options: { concurrency: 1 } }) as never, {
						...RETRY,
						onError: 'continueRegularOutput',
					}),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			const out = result.outputs('Act-Two');
			expect(out.map(pairedIndex)).toEqual([0, 1, 2]);
			expect(out.map((i) => i.json.error ?? null)).toEqual([null, null, null]);
			expect(sim.tasks()).toHaveLength(3);
			expect(new Set(out.map((i) => i.json.taskId)).size).toBe(3);
		}));
});
