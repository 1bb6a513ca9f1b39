import { sleep } from 'n8n-workflow';

import { ProviderError } from '../core/errors';
import { TERMINAL_STATUSES } from '../core/types';
import type { NormalizedTask } from '../core/types';
import { mapWithConcurrency } from '../core/limit';
import { PollSchedule } from './poll-schedule';
import { settle } from '../core/settle';

export interface PollOptions {
	/**
	 * The longest a render's end may go unseen, and the gap between reads of a task whose provider reports no
	 * progress. A running render with progress is read when its progress says it should end (poll-schedule.ts).
	 */
	intervalMs: number;
	/** Reads planned by the interval alone come up to this much earlier, at random, so waits do not align. */
	jitterMs: number;
	timeoutMs: number;
	concurrency: number;
	signal?: AbortSignal;
	/** Wait one interval before the first read (right after a create), as Runway's SDK does. */
	initialDelay: boolean;
	/** How long a just-created task may answer "does not exist" (CometAPI) before that counts as an error. */
	notYetVisibleMs?: number;
	/** For tests: the schedule's source of randomness (jitter). */
	random?: () => number;
	/** For tests: a virtual clock (default: Date.now and n8n's sleep). */
	clock?: PollClock;
}

export interface PollClock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: PollClock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(ms, signal),
};

export type PollResult =
	| { kind: 'done'; task: NormalizedTask }
	/** readError: the last status read failed (transiently) and the task was to be read again. */
	| { kind: 'timeout'; task: NormalizedTask; readError?: Error }
	| { kind: 'error'; error: Error; task: NormalizedTask };

export const isTerminal = (task: NormalizedTask) => TERMINAL_STATUSES.includes(task.status);

/**
 * Waits for every unfinished task together, so a batch of hundreds waits as long as its slowest render, not the
 * sum of them. Each task is read when the schedule says it is likely to have changed (at most `concurrency`
 * reads at once); at the timeout every task still open is read one last time.
 */
export async function pollTasks(
	tasks: NormalizedTask[],
	/** Reads one task; `deadline` (epoch ms) is when the poll times out, so the read's retries stop there. */
	read: (task: NormalizedTask, deadline: number) => Promise<NormalizedTask>,
	options: PollOptions,
): Promise<PollResult[]> {
	const clock = options.clock ?? realClock;
	const started = clock.now();
	const deadline = started + options.timeoutMs;
	const grace = options.notYetVisibleMs ?? 30_000;
	const results: PollResult[] = tasks.map((task) =>
		isTerminal(task) ? { kind: 'done', task } : { kind: 'timeout', task },
	);
	const schedule = new PollSchedule(
		results.map((r) => r.kind === 'timeout'),
		started,
		options,
	);

	const readOne = async (i: number) => {
		const current = results[i].task;
		const read_ = await settle(read(current, deadline));
		const at = clock.now();
		if (read_.ok) {
			const done = isTerminal(read_.value);
			results[i] = done
				? { kind: 'done', task: read_.value }
				: { kind: 'timeout', task: read_.value };
			schedule.observe(i, at, read_.value, done);
			return;
		}
		if (options.signal?.aborted) throw read_.error;
		const error = read_.error;
		const notYetVisible =
			error instanceof ProviderError &&
			error.detail.code === 'task_not_exist' &&
			at - started < grace;
		// A read that still fails after its own retries (a 5xx or 429 spell, a lost connection) says nothing
		// about the render: read it again later, until the timeout, rather than fail a billed render.
		const transient = error instanceof ProviderError && error.detail.retryable;
		if (!notYetVisible && !transient) {
			results[i] = { kind: 'error', error, task: current };
			schedule.close(i);
			return;
		}
		if (transient) results[i] = { kind: 'timeout', task: current, readError: error };
		schedule.observeError(
			i,
			at,
			transient && error instanceof ProviderError ? error.retryAfterMs : null,
		);
	};

	for (;;) {
		if (schedule.openCount() === 0) return results;
		const now = clock.now();
		if (now >= deadline) return results;
		const wake = schedule.nextWake();
		const last = wake >= deadline;
		if (wake > now) await clock.sleep(Math.min(wake, deadline) - now, options.signal);
		const ids = last ? schedule.allOpen() : schedule.due(clock.now());
		await mapWithConcurrency(ids, options.concurrency, readOne);
		if (options.signal?.aborted)
			throw options.signal.reason ?? new Error('The execution was cancelled.');
		if (last) return results;
	}
}
