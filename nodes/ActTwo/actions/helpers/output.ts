import type { IDataObject } from 'n8n-workflow';

import type { NormalizedTask } from '../../core/types';

export type OutputMode = 'task' | 'binary' | 'url';

/** The JSON a user sees for a task: the normalized task plus `videoUrl` for easy expressions. */
export function taskJson(task: NormalizedTask, mode: OutputMode = 'task'): IDataObject {
	const videoUrl = task.outputs[0]?.url ?? null;
	if (mode === 'url') {
		return {
			provider: task.provider,
			model: task.model,
			taskId: task.taskId,
			status: task.status,
			videoUrl,
			error: task.error as unknown as IDataObject,
			cost: task.cost as unknown as IDataObject,
		};
	}
	return { ...(task as unknown as IDataObject), videoUrl };
}
