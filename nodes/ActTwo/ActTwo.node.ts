import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import * as upload from './actions/asset/upload.operation';
import { providerProperty } from './actions/common.description';
import * as cancel from './actions/task/cancel.operation';
import { callbackResumeWebhooks, callbackWebhook } from './actions/task/callback-wait';
import { router } from './actions/router';
import * as create from './actions/task/create.operation';
import * as downloadVideo from './actions/task/download.operation';
import * as get from './actions/task/get.operation';
import * as wait from './actions/task/wait.operation';

export class ActTwo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Act-Two',
		name: 'actTwo',
		icon: { light: 'file:../../icons/act-two.svg', dark: 'file:../../icons/act-two.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["provider"] }}',
		description: 'Animate a character from a driving performance with Runway Act-Two or Act-One',
		defaults: { name: 'Act-Two' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'runwayApi', required: true, displayOptions: { show: { provider: ['runway'] } } },
			{ name: 'useApiNetApi', required: true, displayOptions: { show: { provider: ['useapi'] } } },
			{ name: 'cometApi', required: true, displayOptions: { show: { provider: ['comet'] } } },
			{ name: 'liangXinApi', required: true, displayOptions: { show: { provider: ['liangxin'] } } },
		],
		webhooks: callbackResumeWebhooks,
		properties: [
			providerProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Asset', value: 'asset' },
					{ name: 'Task', value: 'task' },
				],
				default: 'task',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['task'] } },
				options: [
					{
						name: 'Cancel',
						value: 'cancel',
						action: 'Cancel a render',
						description: 'Cancel a running task (Runway, useapi.net)',
					},
					{
						name: 'Create',
						value: 'create',
						action: 'Create a character performance',
						description: 'Start a render, optionally waiting for it',
					},
					{
						name: 'Download Video',
						value: 'downloadVideo',
						action: 'Download a finished video',
						description: 'Fetch a finished render as binary data',
					},
					{
						name: 'Get',
						value: 'get',
						action: 'Get a task',
						description: 'Read one task’s current status',
					},
					{
						name: 'Wait',
						value: 'wait',
						action: 'Wait for a task',
						description: 'Poll until tasks end or a timeout passes',
					},
				],
				default: 'create',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['asset'] } },
				options: [
					{
						name: 'Upload',
						value: 'upload',
						action: 'Upload a file',
						description: 'Turn a file into a provider asset for later renders',
					},
				],
				default: 'upload',
			},
			...create.description,
			...get.description,
			...wait.description,
			...cancel.description,
			...downloadVideo.description,
			...upload.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await callbackWebhook.call(this);
	}
}
