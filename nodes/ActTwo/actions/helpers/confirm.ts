import { ProviderError } from '../../core/errors';
import { settle } from '../../core/settle';
import type { ModelId, NormalizedTask } from '../../core/types';
import { withDeadline } from '../../transport/http';
import { isTerminal } from '../../transport/poll';
import type { ProviderContext } from './context';

/**
 * What the provider's API says about a task a callback claims, read with a deadline:
 * - ended: it shows the task ended (as the claim said, when the claim was an end);
 * - running: it shows the task still running;
 * - contradicted: it shows the task ended otherwise than claimed;
 * - unknown: it does not know the task (404, or an id it calls invalid);
 * - later: it cannot say now (outage, timeout, an answer about another task).
 * Callbacks are not signed by most providers: only this verdict is believed.
 */
export type Verdict =
	| { kind: 'ended' | 'running' | 'contradicted'; task: NormalizedTask }
	| { kind: 'unknown' | 'later'; reason: string };

export async function confirmTask(
	pctx: ProviderContext,
	taskId: string,
	model: ModelId,
	claimed: NormalizedTask | null,
	withinMs: number,
): Promise<Verdict> {
	const client = withDeadline(pctx.client, Date.now() + withinMs);
	const read = await settle(pctx.adapter.get(client, taskId, model));
	if (!read.ok) {
		const error = read.error;
		const reason = error instanceof ProviderError ? error.message : 'an unexpected error';
		const notKnown =
			error instanceof ProviderError &&
			(error.detail.category === 'not_found' || error.detail.category === 'invalid_input');
		return { kind: notKnown ? 'unknown' : 'later', reason };
	}
	const task = read.value;
	if (task.taskId !== taskId) return { kind: 'later', reason: 'it answered about another task' };
	if (!isTerminal(task)) return { kind: 'running', task };
	if (claimed && isTerminal(claimed) && claimed.status !== task.status)
		return { kind: 'contradicted', task };
	return { kind: 'ended', task };
}
