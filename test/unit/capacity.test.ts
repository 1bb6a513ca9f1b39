/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/** The capacity gate: which create answers it waits out, for how long, and what wakes or stops it. */
import { classifyHttp, ProviderError } from '../../nodes/ActTwo/core/errors';
import { ADAPTERS } from '../../nodes/ActTwo/providers';

const ERR = Object.fromEntries(Object.values(ADAPTERS).map((a) => [a.id, a.errors]));
import type { NormalizedTask } from '../../nodes/ActTwo/core/types';
import {
	CapacityError,
	CapacityGate,
	DEFAULT_WAIT_MS,
	defaultWaitMs,
	isBusyAnswer,
} from '../../nodes/ActTwo/transport/capacity';
import type { CapacityOptions } from '../../nodes/ActTwo/transport/capacity';

const answer = (status: number, retryAfterMs: number | null = null, body: unknown = {}) =>
	new ProviderError('useapi', classifyHttp(status, body, ERR.useapi), status, body, retryAfterMs);

const busy = (retryAfterMs: number | null = null) =>
	answer(429, retryAfterMs, { error: 'Account a@b.c is busy executing 2 tasks', code: 429 });

const task = (id: string, status: NormalizedTask['status'] = 'queued'): NormalizedTask => ({
	provider: 'useapi',
	model: 'act_two',
	taskId: id,
	status,
	progress: 0,
	outputs: [],
	error: null,
	createdAt: null,
	updatedAt: null,
	replyRef: null,
	cost: null,
	raw: {},
});

const client = { request: async () => await Promise.reject(new Error('not used')) };

const gate = (options: Partial<CapacityOptions> = {}) =>
	new CapacityGate(client, {
		maxWaitMs: 30 * 60_000,
		checkEveryMs: 20,
		concurrency: 2,
		read: async (t) => t,
		...options,
	});

/** An attempt that answers from a script, counting its calls. */
function script(...answers: Array<Error | string>) {
	const calls: number[] = [];
	const attempt = async () => {
		calls.push(Date.now());
		const next = answers[Math.min(calls.length - 1, answers.length - 1)];
		if (next instanceof Error) throw next;
		return next;
	};
	return { attempt, calls };
}

describe('only a 429 is waited out: every other create failure is thrown after one attempt', () => {
	const lost = new ProviderError(
		'useapi',
		{ code: 'connection', message: 'socket hang up', category: 'provider', retryable: true },
		null,
		null,
	);
	const others: Error[] = [lost, new Error('raw')];
	for (let status = 400; status < 600; status++) if (status !== 429) others.push(answer(status, 0));

	it.each(others.map((e) => [e instanceof ProviderError ? (e.httpCode ?? 'lost') : 'raw', e]))(
		'%s: one attempt, the same error',
		async (_label, error) => {
			const { attempt, calls } = script(error as Error, 'task');
			await expect(gate().create(attempt)).rejects.toBe(error);
			expect(calls).toHaveLength(1);
		},
	);

	it('isBusyAnswer: 429 by HTTP status or by business code (a 200 body with code 429), nothing else', () => {
		expect(isBusyAnswer(busy())).toBe(true);
		const business = new ProviderError('liangxin', classifyHttp(429, {}, ERR.liangxin), 200, {});
		expect(isBusyAnswer(business)).toBe(true);
		expect(isBusyAnswer(answer(503))).toBe(false);
		expect(isBusyAnswer(new Error('429'))).toBe(false);
	});
});

describe('waiting for capacity', () => {
	it('follows Retry-After, then reports how long it waited', async () => {
		const { attempt, calls } = script(busy(80), busy(80), 'task');
		const result = await gate().create(attempt);
		expect(result.value).toBe('task');
		expect(calls).toHaveLength(3);
		expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(75);
		expect(result.waitedMs).toBeGreaterThanOrEqual(150);
		expect(result.waitedMs).toBe(calls[2] - calls[0]);
	});

	it('no wait: waitedMs 0', async () => {
		expect(await gate().create(script('task').attempt)).toEqual({ value: 'task', waitedMs: 0 });
	});

	it('without Retry-After the wait is 10–30 s', () => {
		for (const r of [0, 0.25, 0.5, 0.999]) {
			const ms = defaultWaitMs(r);
			expect(ms).toBeGreaterThanOrEqual(DEFAULT_WAIT_MS[0]);
			expect(ms).toBeLessThanOrEqual(DEFAULT_WAIT_MS[1]);
		}
		expect(DEFAULT_WAIT_MS).toEqual([10_000, 30_000]);
	});

	it('is woken as soon as one of the node’s own renders ends, long before Retry-After', async () => {
		let reads = 0;
		const g = gate({
			read: async (t) => {
				reads++;
				return reads >= 3 ? { ...t, status: 'succeeded' } : t;
			},
		});
		g.track(task('mine'));
		const { attempt, calls } = script(busy(60_000), 'task');
		const started = Date.now();
		const result = await g.create(attempt);
		expect(result.value).toBe('task');
		expect(calls).toHaveLength(2);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(reads).toBe(3);
	});

	it('one ended render wakes one waiter; the other keeps waiting', async () => {
		const g = gate({ read: async (t) => ({ ...t, status: 'succeeded' }) });
		g.track(task('mine'));
		const a = script(busy(60_000), 'a');
		const b = script(busy(600), 'b');
		const started = Date.now();
		const [ra, rb] = await Promise.all([g.create(a.attempt), g.create(b.attempt)]);
		expect([ra.value, rb.value]).toEqual(['a', 'b']);
		// The first waiter was woken by the render's end; the second waited for its own Retry-After.
		expect(a.calls[1] - started).toBeLessThan(400);
		expect(b.calls[1] - started).toBeGreaterThanOrEqual(590);
	});

	it('a failed status read wakes nobody; the wait goes on to Retry-After', async () => {
		const g = gate({ read: async () => await Promise.reject(answer(503)) });
		g.track(task('mine'));
		const { attempt, calls } = script(busy(300), 'task');
		await g.create(attempt);
		expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(290);
	});

	it('is bounded: after Max Wait it fails as rate_limited, saying how long, how many renders were busy and what to do', async () => {
		const g = gate({ maxWaitMs: 250, read: async (t) => t });
		g.track(task('mine'));
		g.track(task('done', 'succeeded')); // an ended render holds no slot
		const { attempt, calls } = script(busy(100));
		const started = Date.now();
		const error = (await g.create(attempt).catch((e: unknown) => e)) as CapacityError;
		expect(error).toBeInstanceOf(CapacityError);
		expect(Date.now() - started).toBeLessThan(600);
		expect(calls.length).toBeGreaterThanOrEqual(3);
		expect(calls.length).toBeLessThanOrEqual(4);
		expect(error.detail.category).toBe('rate_limited');
		expect(error.waitedMs).toBeGreaterThanOrEqual(250);
		expect(error.message).toMatch(
			new RegExp(
				`^No free render slot after waiting 0 s \\(${calls.length} tries\\): the provider still answers "Account a@b.c is busy executing 2 tasks"; 1 render this node started was still running$`,
			),
		);
		expect(error.description).toMatch(/Nothing was started for this item/);
		expect(error.description).toMatch(/Max Wait for Capacity/);
		expect(error.description).toMatch(/category: rate_limited, code: 429/);
	});

	it('once an item waited in vain, the next busy answer fails at once (no full wait per item) until a render starts again', async () => {
		const g = gate({ maxWaitMs: 200 });
		const first = script(busy(50));
		await expect(g.create(first.attempt)).rejects.toBeInstanceOf(CapacityError);
		const second = script(busy(50));
		const startedAt = Date.now();
		const error = (await g.create(second.attempt).catch((e: unknown) => e)) as CapacityError;
		expect(Date.now() - startedAt).toBeLessThan(40);
		expect(second.calls).toHaveLength(1);
		expect(error.message).toMatch(
			/^No free render slot: an earlier item already waited 0 s in vain: the provider still answers "Account a@b\.c is busy executing 2 tasks"; 0 renders this node started were still running$/,
		);
		// A create that starts a render shows the account has room again: waiting resumes.
		await g.create(script('task').attempt);
		const third = script(busy(50), 'task');
		expect((await g.create(third.attempt)).value).toBe('task');
		expect(third.calls).toHaveLength(2);
	});

	it('Max Wait 0: the first busy answer is thrown as it is', async () => {
		const { attempt, calls } = script(busy(10), 'task');
		await expect(gate({ maxWaitMs: 0 }).create(attempt)).rejects.toThrow(/busy executing/);
		expect(calls).toHaveLength(1);
	});

	it('a cancel during the wait rejects at once and tries nothing more', async () => {
		const cancel = new AbortController();
		let reads = 0;
		const g = gate({
			signal: cancel.signal,
			read: async (t) => {
				reads++;
				return t;
			},
		});
		g.track(task('mine'));
		const { attempt, calls } = script(busy(60_000), 'task');
		const waiting = g.create(attempt);
		await new Promise((r) => setTimeout(r, 70));
		const cancelledAt = Date.now();
		cancel.abort(new Error('The execution was cancelled'));
		await expect(waiting).rejects.toThrow('The execution was cancelled');
		expect(Date.now() - cancelledAt).toBeLessThan(50);
		const readsAtCancel = reads;
		await new Promise((r) => setTimeout(r, 100));
		expect(calls).toHaveLength(1);
		expect(reads).toBe(readsAtCancel);
	});
});
