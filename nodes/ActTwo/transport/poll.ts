import { sleep } from 'n8n-workflow';

import { ProviderError } from '../core/errors';
import { TERMINAL_STATUSES } from '../core/types';
import type { NormalizedTask } from '../core/types';
import { mapWithConcurrency } from '../core/limit';
import { settle } from '../core/settle';

export interface PollOptions {
	intervalMs: number;
	jitterMs: number;
	timeoutMs: number;
	concurrency: number;
	signal?: AbortSignal;
	/** Wait one interval before the first read (right after a create), as Runway's SDK does. */
	initialDelay: boolean;
	/** How long a just-created task may answer "does not exist" (CometAPI) before that counts as an error. */
	notYetVisibleMs?: number;
}

export type PollResult =
	| { kind: 'done'; task: NormalizedTask }
	/** readError: the last status read failed (transiently) and the task was to be read again. */
	| { kind: 'timeout'; task: NormalizedTask; readError?: Error }
	| { kind: 'error'; error: Error; task: NormalizedTask };

export const isTerminal = (task: NormalizedTask) => TERMINAL_STATUSES.includes(task.status);

const jittered = (o: PollOptions) =>
	Math.max(0, o.intervalMs + (Math.random() * 2 - 1) * o.jitterMs);

/**
 * Polls every unfinished task together, one round per interval, so a batch of hundreds waits as long as
 * its slowest render, not the sum of them. Each round reads at most `concurrency` tasks at once.
 */
export async function pollTasks(
	tasks: NormalizedTask[],
	/** Reads one task; `deadline` (epoch ms) is when the poll times out, so the read's retries stop there. */
	read: (task: NormalizedTask, deadline: number) => Promise<NormalizedTask>,
	options: PollOptions,
): Promise<PollResult[]> {
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	const grace = options.notYetVisibleMs ?? 30_000;
	const results: PollResult[] = tasks.map((task) =>
		isTerminal(task) ? { kind: 'done', task } : { kind: 'timeout', task },
	);
	let first = true;
	for (;;) {
		const pending = results.map((r, i) => (r.kind === 'timeout' ? i : -1)).filter((i) => i >= 0);
		if (pending.length === 0) return results;
		const remaining = options.timeoutMs - (Date.now() - started);
		if (remaining <= 0) return results;
		if (!first || options.initialDelay)
			await sleep(Math.min(jittered(options), remaining), options.signal);
		first = false;
		await mapWithConcurrency(pending, options.concurrency, async (i) => {
			const current = results[i].task;
			const read_ = await settle(read(current, deadline));
			if (read_.ok) {
				results[i] = isTerminal(read_.value)
					? { kind: 'done', task: read_.value }
					: { kind: 'timeout', task: read_.value };
				return;
			}
			if (options.signal?.aborted) throw read_.error;
			const error = read_.error;
			const notYetVisible =
				error instanceof ProviderError &&
				error.detail.code === 'task_not_exist' &&
				Date.now() - started < grace;
			// A read that still fails after its own retries (a 5xx or 429 spell, a lost connection) says nothing
			// about the render: read it again next round, until the timeout, rather than fail a billed render.
			const transient = error instanceof ProviderError && error.detail.retryable;
			if (!notYetVisible && !transient) results[i] = { kind: 'error', error, task: current };
			else if (transient) results[i] = { kind: 'timeout', task: current, readError: error };
		});
		if (options.signal?.aborted)
			throw options.signal.reason ?? new Error('The execution was cancelled.');
	}
}
