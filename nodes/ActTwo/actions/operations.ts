import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import * as upload from './asset/upload.operation';
import * as cancel from './task/cancel.operation';
import * as create from './task/create.operation';
import * as downloadVideo from './task/download.operation';
import * as get from './task/get.operation';
import * as wait from './task/wait.operation';

interface Operation {
	option: INodePropertyOptions;
	description: INodeProperties[];
	execute(this: IExecuteFunctions): Promise<INodeExecutionData[]>;
}

/** The one list of the node's resources and operations: its fields and the router are built from it. */
const RESOURCES: Array<{ name: string; value: string; default: string; operations: Operation[] }> =
	[
		{ name: 'Asset', value: 'asset', default: 'upload', operations: [upload] },
		{
			name: 'Task',
			value: 'task',
			default: 'create',
			operations: [cancel, create, downloadVideo, get, wait],
		},
	];

export function findOperation(resource: string, operation: string): Operation | undefined {
	return RESOURCES.find((r) => r.value === resource)?.operations.find(
		(o) => o.option.value === operation,
	);
}

const DEFAULT_RESOURCE = 'task';

export const operationProperties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: RESOURCES.map(({ name, value }) => ({ name, value })),
		default: DEFAULT_RESOURCE,
	},
	...RESOURCES.map(
		({ value, operations, default: first }): INodeProperties => ({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [value] } },
			options: operations.map((o) => o.option),
			default: first,
		}),
	),
	...RESOURCES.flatMap((r) => r.operations.flatMap((o) => o.description)),
];
