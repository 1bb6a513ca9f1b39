import type { IExecuteFunctions } from 'n8n-workflow';

import { startedRenders } from '../../nodes/ActTwo/actions/task/started-renders';
import type { NormalizedTask } from '../../nodes/ActTwo/core/types';

/** The two things startedRenders reads: the node's execution context and the run index. */
function nodeRun(context: Record<string, unknown>, runIndex: number): IExecuteFunctions {
	return {
		getContext: () => context,
		getWorkflowDataProxy: () => ({ $runIndex: runIndex }),
	} as unknown as IExecuteFunctions;
}

const task = (taskId: string) => ({ provider: 'runway', taskId }) as NormalizedTask;

describe('renders started by earlier tries of the same run', () => {
	it('a retry of the run sees them; a later run (a loop) starts afresh', () => {
		const context = {};
		startedRenders(nodeRun(context, 0)).add(1, task('a'));
		expect(startedRenders(nodeRun(context, 0)).get(1)?.taskId).toBe('a');
		expect(startedRenders(nodeRun(context, 0)).get(0)).toBeUndefined();
		expect(startedRenders(nodeRun(context, 1)).get(1)).toBeUndefined();
		// and the earlier run's renders are not kept once a later run started
		expect(startedRenders(nodeRun(context, 0)).get(1)).toBeUndefined();
	});
	it('survives the execution data being stored and read back (queue mode, another worker)', () => {
		const context: Record<string, unknown> = {};
		startedRenders(nodeRun(context, 2)).add(0, task('b'));
		const stored = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
		expect(startedRenders(nodeRun(stored, 2)).get(0)?.taskId).toBe('b');
	});
});
