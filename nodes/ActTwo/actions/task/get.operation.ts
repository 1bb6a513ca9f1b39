import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { readModel } from '../helpers/model';
import { providerContext } from '../helpers/context';
import { readTaskId, runPerItem } from '../helpers/items';
import { taskJson } from '../helpers/output';
import { taskIdProperty } from '../common.description';

export const option: INodePropertyOptions = {
	name: 'Get',
	value: 'get',
	action: 'Get a task',
	description: 'Read one task’s current status',
};

export const description: INodeProperties[] = [taskIdProperty(['get'])];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	return await runPerItem(
		this,
		this.getInputData().length,
		pctx.adapter.capabilities.defaultConcurrency * 2,
		async (i) => {
			const taskId = readTaskId(this, i);
			const model = readModel(this, i, pctx.adapter);
			return [{ json: taskJson(await pctx.adapter.get(pctx.client, taskId, model)) }];
		},
	);
}
