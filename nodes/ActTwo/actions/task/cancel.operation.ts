import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { providerContext } from '../../shared/context';
import { readTaskId, runPerItem } from '../../shared/items';
import { taskIdProperty } from '../common.description';

export const description: INodeProperties[] = [taskIdProperty(['cancel'])];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	if (!pctx.adapter.capabilities.cancel) {
		throw new NodeOperationError(
			this.getNode(),
			`${pctx.adapter.displayName} has no way to cancel a task`,
			{
				description:
					'Only Runway and useapi.net can cancel. The render goes on and is billed as usual.',
			},
		);
	}
	return await runPerItem(
		this,
		this.getInputData().length,
		pctx.adapter.capabilities.defaultConcurrency,
		async (i) => {
			const taskId = readTaskId(this, i);
			await pctx.adapter.cancel(pctx.client, taskId, 'act_two');
			return [{ json: { provider: pctx.adapter.id, taskId, cancelled: true } }];
		},
	);
}
