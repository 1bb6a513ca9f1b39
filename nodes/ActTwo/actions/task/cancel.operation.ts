import { NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { providerContext } from '../helpers/context';
import { readTaskId, runPerItem } from '../helpers/items';
import { providerNames } from '../../providers';
import { taskIdProperty } from '../common.description';

export const option: INodePropertyOptions = {
	name: 'Cancel',
	value: 'cancel',
	action: 'Cancel a render',
	description: 'Cancel a running task, where the provider can',
};

export const description: INodeProperties[] = [taskIdProperty(['cancel'])];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	const cancel = pctx.adapter.capabilities.cancel ? pctx.adapter.cancel : undefined;
	if (!cancel) {
		throw new NodeOperationError(
			this.getNode(),
			`${pctx.adapter.displayName} has no way to cancel a task`,
			{
				description: `Only ${providerNames((a) => a.capabilities.cancel)} can cancel. The render goes on and is billed as usual.`,
			},
		);
	}
	return await runPerItem(
		this,
		this.getInputData().length,
		pctx.adapter.capabilities.defaultConcurrency,
		async (i) => {
			const taskId = readTaskId(this, i);
			await cancel(pctx.client, taskId, pctx.adapter.capabilities.models[0]);
			return [{ json: { provider: pctx.adapter.id, taskId, cancelled: true } }];
		},
	);
}
