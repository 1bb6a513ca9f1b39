import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { providerContext } from '../../shared/context';
import { readTaskId, runPerItem } from '../../shared/items';
import { taskJson } from '../../shared/output';
import type { ModelId } from '../../providers/types';
import { taskIdProperty } from '../common.description';

export const description: INodeProperties[] = [taskIdProperty(['get'])];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	return await runPerItem(
		this,
		this.getInputData().length,
		pctx.adapter.capabilities.defaultConcurrency * 2,
		async (i) => {
			const taskId = readTaskId(this, i);
			const model = this.getNodeParameter('model', i, 'act_two') as ModelId;
			return [{ json: taskJson(await pctx.adapter.get(pctx.client, taskId, model)) }];
		},
	);
}
