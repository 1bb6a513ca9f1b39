import { NodeOperationError } from 'n8n-workflow';
import { readModel } from '../helpers/model';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { providerContext } from '../helpers/context';
import { readTaskId, runPerItem } from '../helpers/items';
import { isTerminal } from '../../transport/poll';
import { binaryOutputProperty, taskIdProperty } from '../common.description';
import { outputForResult } from './finish';

export const option: INodePropertyOptions = {
	name: 'Download Video',
	value: 'downloadVideo',
	action: 'Download a finished video',
	description: 'Fetch a finished render as binary data',
};

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
			const taskId = readTaskId(this, i);
			const model = readModel(this, i, pctx.adapter);
			const task = await pctx.adapter.get(pctx.client, taskId, model);
			if (!isTerminal(task)) {
				throw new NodeOperationError(
					this.getNode(),
					`Task ${task.taskId || taskId} has not finished yet (status: ${task.status})`,
					{
						itemIndex: i,
						description: 'Use the Wait operation first, or Create with "Poll Until Done".',
					},
				);
			}
			return [
				await outputForResult(this, pctx, { kind: 'done', task }, output, {
					onTimeout: 'error',
					timeoutMs: 0,
				}),
			];
		},
	);
}
