import type { IExecuteFunctions } from 'n8n-workflow';

import type { NormalizedTask } from '../../core/types';

interface Remembered {
	runIndex: number;
	tasks: Record<string, NormalizedTask>;
}

/**
 * The renders Create already started in this run of the node. n8n's "Retry On Fail" runs the node again with
 * the same items (also when Continue On Fail put an error item first), and a render started by an earlier try
 * must be taken up again, not started and billed a second time. Kept in the node's execution context, which
 * is part of the execution's data, so it holds on whichever worker runs the try.
 */
export function startedRenders(ctx: IExecuteFunctions) {
	const context = ctx.getContext('node');
	const runIndex = Number(ctx.getWorkflowDataProxy(0).$runIndex);
	const previous = context.startedRenders as Remembered | undefined;
	// A later run (a loop) is new work; only tries of the same run share their renders.
	const remembered: Remembered =
		previous && previous.runIndex === runIndex ? previous : { runIndex, tasks: {} };
	context.startedRenders = remembered;
	return {
		get: (itemIndex: number): NormalizedTask | undefined => remembered.tasks[itemIndex],
		add: (itemIndex: number, task: NormalizedTask): void => {
			remembered.tasks[itemIndex] = task;
		},
	};
}
