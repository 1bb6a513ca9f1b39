/**
 * Account capacity: a create answered 429 (the provider started nothing) waits for a free slot — Retry-After,
 * else 10–30 s, or sooner when one of the node's own renders ends — bounded by "Max Wait for Capacity".
 * useapi.net answers 429 "Account … is busy executing N tasks" while the account's maxJobs renders run.
 */
import { runWorkflow, startWorkflow } from '../../harness';
import type { Simulator } from '../../simulator';
import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	FAST,
	items,
	pairedIndex,
	QUICK_POLL,
	requests,
	sleep,
	urlInputs,
	waitFor,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(60_000);

const it = test.concurrent;

/** Renders take ~4.1 s: longer than the transport's quick retries of a create (~3.5 s in all). */
const SLOW = { timing: { ...FAST, runningMs: 4000 } };

/** useapi.net Create with URL inputs; each item's replyRef names it, so creates can be counted per item. */
const create = (sim: Simulator, extra: Record<string, unknown> = {}, options = {}) =>
	urlInputs(sim, {
		createOptions: { replyRef: '=item-{{ $json.n }}' },
		options: { ...QUICK_POLL, ...options },
		...extra,
	});

/** Create answers per item (by replyRef): how many were 200 (renders) and 429 (busy). */
function createsPerItem(sim: Simulator, n: number) {
	const all = createRequests(sim, 'useapi');
	return Array.from({ length: n }, (_, i) => {
		const mine = all.filter((r) => (r.body.json as { replyRef?: string }).replyRef === `item-${i}`);
		return {
			ok: mine.filter((r) => r.status === 200).length,
			busy: mine.filter((r) => r.status === 429).length,
			other: mine.filter((r) => r.status !== 200 && r.status !== 429).length,
		};
	});
}

it("Don't Wait: 4 items on an account with maxJobs 2 → the 2 that found it full wait for a slot (woken when the node's own renders end), 1 render each", () =>
	withSim(
		async (sim) => {
			const result = await runWorkflow(
				workflow(items(4), actTwo('useapi', create(sim, {}, { concurrency: 4 }) as never)),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			expect(result.status).toBe('success');
			const out = result.outputs('Act-Two');
			expect(out.map(pairedIndex)).toEqual([0, 1, 2, 3]);
			expect(new Set(out.map((i) => i.json.taskId)).size).toBe(4);
			const waits = out.map((i) => i.json.capacityWaitMs as number);
			expect(waits.every((w) => typeof w === 'number' && w >= 0)).toBe(true);
			// Two items found the account full and waited until the first two renders (~4.1 s) ended.
			const waited = waits.filter((w) => w > 0);
			expect(waited).toHaveLength(2);
			for (const w of waited) expect(w).toBeGreaterThan(3000);
			// Woken by the end of the node's own renders, not by the 10–30 s fallback.
			for (const w of waited) expect(w).toBeLessThan(9000);
			const perItem = createsPerItem(sim, 4);
			expect(perItem.map((c) => c.ok)).toEqual([1, 1, 1, 1]);
			expect(perItem.map((c) => c.other)).toEqual([0, 0, 0, 0]);
			expect(perItem.filter((c) => c.busy > 0)).toHaveLength(2);
			expect(sim.tasks()).toHaveLength(4);
		},
		{ ...SLOW, useapiMaxJobs: 2 },
	));

it('Poll Until Done: 5 items on an account with maxJobs 2 → every item renders once and succeeds; those that found it full report their wait', () =>
	withSim(
		async (sim) => {
			const result = await runWorkflow(
				workflow(
					items(5),
					actTwo(
						'useapi',
						create(sim, { waitForCompletion: 'poll', output: 'url' }, { concurrency: 3 }) as never,
					),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			const out = result.outputs('Act-Two');
			expect(out.map(pairedIndex)).toEqual([0, 1, 2, 3, 4]);
			expect(out.map((i) => i.json.status)).toEqual(Array(5).fill('succeeded'));
			expect(out.every((i) => typeof i.json.videoUrl === 'string')).toBe(true);
			const waits = out.map((i) => i.json.capacityWaitMs as number);
			expect(waits.filter((w) => w > 0).length).toBeGreaterThanOrEqual(2);
			expect(waits.filter((w) => w === 0).length).toBeGreaterThanOrEqual(2);
			const perItem = createsPerItem(sim, 5);
			expect(perItem.map((c) => c.ok)).toEqual([1, 1, 1, 1, 1]);
			expect(perItem.map((c) => c.other)).toEqual([0, 0, 0, 0, 0]);
			// Items with a busy answer are exactly those that report a wait.
			expect(perItem.map((c) => c.busy > 0)).toEqual(waits.map((w) => w > 0));
			expect(sim.tasks()).toHaveLength(5);
		},
		{ ...SLOW, useapiMaxJobs: 2 },
	));

it('Max Wait for Capacity 0: a full account fails the item at once, as before (a few quick retries, one render)', () =>
	withSim(
		async (sim) => {
			const result = await runWorkflow(
				workflow(
					items(2),
					actTwo('useapi', create(sim, {}, { concurrency: 2, capacityWaitMinutes: 0 }) as never),
				),
				{ credentials: credentials(sim) },
			);
			const finished = Date.now();
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/^useapi\.net: Account .+ is busy executing 1 tasks$/);
			expect(errorText(result)).toMatch(/category: rate_limited/);
			const creates = createRequests(sim, 'useapi');
			expect(creates.filter((r) => r.status === 200)).toHaveLength(1);
			const busy = creates.filter((r) => r.status === 429);
			expect(busy).toHaveLength(4);
			// The first busy answer, then 3 quick retries, then the failure: no waiting for the render (~4.1 s).
			expect(busy[3].at - busy[0].at).toBeLessThan(3800);
			expect(finished - busy[0].at).toBeLessThan(4000);
			expect(sim.tasks()).toHaveLength(1);
		},
		{ ...SLOW, useapiMaxJobs: 1 },
	));

it('the wait runs out: the item fails as rate_limited, saying how long it waited, how many renders were busy and what to do; the next item does not wait again', () =>
	withSim(
		async (sim) => {
			sim.outcomes.next('useapi', 'stuck');
			const result = await runWorkflow(
				workflow(
					items(3),
					actTwo(
						'useapi',
						create(sim, {}, { concurrency: 1, capacityWaitMinutes: 0.05 }) as never,
						{ onError: 'continueRegularOutput' },
					),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('success');
			const [first, second, third] = result.outputs('Act-Two');
			expect(first.json).toMatchObject({ status: 'queued', capacityWaitMs: 0 });
			expect(pairedIndex(second)).toBe(1);
			expect(second.json.error).toMatch(
				/^useapi\.net: No free render slot after waiting 3 s \(2 tries\): the provider still answers "Account .+ is busy executing 1 tasks"; 1 render this node started was still running$/,
			);
			const details = second.json.details as { description: string; category: string };
			expect(details.category).toBe('rate_limited');
			expect(details.description).toMatch(/Nothing was started for this item/);
			expect(details.description).toMatch(/Max Jobs/);
			expect(details.description).toMatch(/Max Wait for Capacity \(Minutes\)/);
			expect(details.description).toMatch(/fewer items/);
			// Under Continue On Fail the batch goes on; the account is still full, so item 2 fails at its first answer.
			expect(pairedIndex(third)).toBe(2);
			expect(third.json.error).toMatch(
				/^useapi\.net: No free render slot: an earlier item already waited 3 s in vain: the provider still answers "Account .+ is busy executing 1 tasks"/,
			);
			// Item 1: two busy answers (the first, and one more when the 3 s ran out); item 2: one. No render.
			expect(createsPerItem(sim, 3)).toEqual([
				{ ok: 1, busy: 0, other: 0 },
				{ ok: 0, busy: 2, other: 0 },
				{ ok: 0, busy: 1, other: 0 },
			]);
			expect(sim.tasks()).toHaveLength(1);
		},
		{ ...SLOW, useapiMaxJobs: 1 },
	));

it('a cancel during the wait for capacity stops the execution at once: no create or read after it', () =>
	withSim(
		async (sim) => {
			sim.outcomes.next('useapi', 'stuck');
			const handle = await startWorkflow(
				workflow(items(2), actTwo('useapi', create(sim, {}, { concurrency: 2 }) as never)),
				{ credentials: credentials(sim) },
			);
			const busy = () => createRequests(sim, 'useapi').filter((r) => r.status === 429);
			await waitFor(() => busy().length >= 1, 10_000);
			// Let the wait start reading the node's own running render.
			await waitFor(() => requests(sim, 'useapi', 'GET', /\/tasks\//).length >= 1, 5000);
			const cancelledAt = Date.now();
			handle.cancel();
			const result = await handle.result;
			expect(result.status).toBe('canceled');
			expect(Date.now() - cancelledAt).toBeLessThan(1500);
			const count = () => requests(sim, 'useapi').length;
			const atCancel = count();
			await sleep(2300); // more than two status-check intervals
			expect(count()).toBe(atCancel);
			expect(requests(sim, 'useapi').every((r) => r.at <= cancelledAt + 50)).toBe(true);
			expect(sim.tasks()).toHaveLength(1);
		},
		{ ...SLOW, useapiMaxJobs: 1 },
	));

it('a 429 with Retry-After: 2 is waited out as the provider asks, and the output says how long', () =>
	withSim(async (sim) => {
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: '/v1/character_performance',
			kind: 'rate_limit',
			retryAfter: 2,
			times: 1,
		});
		const result = await runWorkflow(
			workflow(items(1), actTwo('runway', urlInputs(sim) as never)),
			{ credentials: credentials(sim) },
		);
		expect(errorText(result)).toBe('');
		const [item] = result.outputs('Act-Two');
		const [busy, ok] = createRequests(sim, 'runway');
		expect([busy.status, ok.status]).toEqual([429, 200]);
		expect(ok.at - busy.at).toBeGreaterThanOrEqual(1950);
		expect(item.json.capacityWaitMs).toBeGreaterThanOrEqual(1950);
		expect(item.json.capacityWaitMs).toBeLessThan(3000);
		expect(sim.tasks()).toHaveLength(1);
	}));
