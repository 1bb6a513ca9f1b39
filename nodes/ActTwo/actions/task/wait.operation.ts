import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { readModel } from '../helpers/model';
import { providerContext } from '../helpers/context';
import { errorItem, inInputOrder, readTaskId, toNodeError } from '../helpers/items';
import type { ModelId, NormalizedTask } from '../../core/types';
import { makeTask } from '../../providers/common/task';
import {
	binaryOutputProperty,
	concurrencyOption,
	outputProperty,
	pollingOptions,
	taskIdProperty,
} from '../common.description';
import { readOutputSettings, readWaitSettings, waitAndOutput } from './finish';

const show = { show: { resource: ['task'], operation: ['wait'] } };

export const option: INodePropertyOptions = {
	name: 'Wait',
	value: 'wait',
	action: 'Wait for a task',
	description: 'Poll until tasks end or a timeout passes',
};

export const description: INodeProperties[] = [
	taskIdProperty(['wait']),
	outputProperty(show),
	binaryOutputProperty({ show: { ...show.show, output: ['binary'] } }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [concurrencyOption, ...pollingOptions],
	},
];

/** Waits for many tasks together: one polling loop for the whole batch, not one per item. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency =
		Number(options.concurrency) || pctx.adapter.capabilities.defaultConcurrency * 2;
	const tasks: Array<{ itemIndex: number; task: NormalizedTask }> = [];
	const errors: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		let taskId: string;
		try {
			taskId = readTaskId(this, i);
		} catch (e) {
			const error = toNodeError(this, e, i);
			if (!this.continueOnFail()) throw error;
			errors.push(errorItem(error, i));
			continue;
		}
		let model: ModelId;
		try {
			model = readModel(this, i, pctx.adapter);
		} catch (e) {
			const error = toNodeError(this, e, i);
			if (!this.continueOnFail()) throw error;
			errors.push(errorItem(error, i));
			continue;
		}
		tasks.push({ itemIndex: i, task: makeTask(pctx.adapter.id, model, taskId, 'queued', {}) });
	}
	const results = await waitAndOutput(
		this,
		pctx,
		tasks,
		readWaitSettings(this, false),
		readOutputSettings(this),
		concurrency,
	);
	return inInputOrder(results, errors);
}
