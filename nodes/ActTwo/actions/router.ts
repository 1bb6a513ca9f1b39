import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as upload from './asset/upload.operation';
import * as cancel from './task/cancel.operation';
import * as create from './task/create.operation';
import * as downloadVideo from './task/download.operation';
import * as get from './task/get.operation';
import * as wait from './task/wait.operation';

const OPERATIONS: Record<string, (this: IExecuteFunctions) => Promise<INodeExecutionData[]>> = {
	'task:create': create.execute,
	'task:get': get.execute,
	'task:wait': wait.execute,
	'task:cancel': cancel.execute,
	'task:downloadVideo': downloadVideo.execute,
	'asset:upload': upload.execute,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = OPERATIONS[`${resource}:${operation}`];
	if (!run)
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	return [await run.call(this)];
}
