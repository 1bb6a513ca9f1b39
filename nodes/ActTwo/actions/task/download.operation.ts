import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { providerContext } from '../../shared/context';
import { runPerItem } from '../../shared/items';
import type { ModelId } from '../../providers/types';
import { binaryOutputProperty, taskIdProperty } from '../common.description';
import { outputForResult } from './finish';

export const description: INodeProperties[] = [
	taskIdProperty(['downloadVideo']),
	binaryOutputProperty({ show: { resource: ['task'], operation: ['downloadVideo'] } }),
];

/** Reads the task again (output URLs are short-lived) and streams its video into binary data. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	const output = {
		mode: 'binary' as const,
		binaryPropertyName: this.getNodeParameter('binaryPropertyName', 0, 'data') as string,
	};
	return await runPerItem(
		this,
		this.getInputData().length,
		pctx.adapter.capabilities.defaultConcurrency,
		async (i) => {
			const taskId = String(this.getNodeParameter('taskId', i)).trim();
			const model = this.getNodeParameter('model', i, 'act_two') as ModelId;
			const task = await pctx.adapter.get(pctx.client, taskId, model);
			const kind =
				task.status === 'succeeded' || task.status === 'failed' || task.status === 'cancelled'
					? 'done'
					: 'timeout';
			return [
				await outputForResult(this, pctx, { kind, task }, output, {
					onTimeout: 'error',
					timeoutMs: 0,
				}),
			];
		},
	);
}
