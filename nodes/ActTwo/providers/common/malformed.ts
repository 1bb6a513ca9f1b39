import { ProviderError } from '../../core/errors';
import type { NormalizedTask, ProviderId } from '../../core/types';

/** Outside text shown in a message: cut short, so a huge or hostile value cannot flood the error. */
const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);

/**
 * A 2xx answer the node cannot use (no task id, another task's id, no id after a create). Category
 * `provider`; a read is `retryable`, so Poll Until Done reads the task again next round.
 */
export function malformedAnswer(
	provider: ProviderId,
	message: string,
	body: unknown,
	retryable = true,
): ProviderError {
	return new ProviderError(
		provider,
		{ code: 'malformed_answer', message, category: 'provider', retryable },
		null,
		body,
	);
}

/**
 * A status read is about the task that was asked for, or it is a malformed read: an answer without the task
 * id, or about another id, must never switch the node to another task. `keepWhenMissing` is for answer shapes
 * that may carry no id (CometAPI's, partly UNCONFIRMED): the task keeps the id it was read by.
 */
export function taskAskedFor(
	task: NormalizedTask,
	askedId: string,
	keepWhenMissing = false,
): NormalizedTask {
	if (task.taskId === askedId) return task;
	if (task.taskId === '') {
		if (keepWhenMissing) return { ...task, taskId: askedId };
		throw malformedAnswer(
			task.provider,
			`The provider answered the status read of task ${askedId} without a task id.`,
			task.raw,
		);
	}
	throw malformedAnswer(
		task.provider,
		`The provider answered the status read of task ${askedId} about another task (${clip(task.taskId)}).`,
		task.raw,
	);
}

/** A create answered 2xx without a task id: the render may have started, so this is never retried. */
export function createWithoutId(provider: ProviderId, body: unknown): ProviderError {
	return malformedAnswer(
		provider,
		`The provider accepted the create but its answer carries no task id. The render may have started and may be billed: check the provider's dashboard before you run this item again.`,
		body,
		false,
	);
}
