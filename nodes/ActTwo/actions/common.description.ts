import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import type { ProviderAdapter } from '../core/types';
import { ADAPTER_LIST, byName, DEFAULTS } from '../providers';

const DEFAULT_PROVIDER = DEFAULTS.node;

export const providerProperty: INodeProperties = {
	displayName: 'Provider',
	name: 'provider',
	type: 'options',
	noDataExpression: true,
	options: byName(ADAPTER_LIST).map((a) => ({
		name: a.displayName,
		value: a.id,
		description: a.summary,
	})),
	default: DEFAULT_PROVIDER,
};

/** Each provider's credential, shown for that provider only. */
export const providerCredentials = (
	adapters: readonly ProviderAdapter[],
	required: boolean,
): INodeCredentialDescription[] =>
	adapters.map((a) => ({
		name: a.credentialType,
		required,
		displayOptions: { show: { provider: [a.id] } },
	}));

const multiModel = ADAPTER_LIST.filter((a) => a.capabilities.models.length > 1);

export const modelProperty = (operations: string[]): INodeProperties => ({
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: [
		{ name: 'Act-One (Face Only, Legacy)', value: 'act_one' },
		{ name: 'Act-Two (Face, Hands and Body)', value: 'act_two' },
	],
	default: 'act_two',
	description: 'The model of the render; tasks of each model are read differently',
	displayOptions: {
		show: { provider: multiModel.map((a) => a.id), resource: ['task'], operation: operations },
	},
});

export const taskIdProperty = (operations: string[]): INodeProperties => ({
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '={{ $json.taskId }}',
	description: 'The task ID the Create operation returned',
	displayOptions: { show: { resource: ['task'], operation: operations } },
});

export const outputProperty = (show: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Output',
	name: 'output',
	type: 'options',
	options: [
		{ name: 'Task', value: 'task', description: 'The normalized task object, with videoUrl' },
		{
			name: 'Task and Video File',
			value: 'binary',
			description: 'The task plus the finished MP4 as binary data',
		},
		{
			name: 'Video URL Only',
			value: 'url',
			description: 'A small object: taskId, status, videoUrl, error',
		},
	],
	default: 'task',
	displayOptions: show,
});

export const binaryOutputProperty = (show: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Put Video in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'The binary field the finished video is written to',
	displayOptions: show,
});

/** Polling options shared by Create (poll mode) and Wait. */
export const pollingOptions: INodeProperties[] = [
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 6,
		description:
			"The most a render's end may go unseen, in seconds. Tasks without progress are read this often; a running render whose provider reports progress is read when its progress says it should end. Runway's own client reads every 6 s ± 1.5 s.",
	},
	{
		displayName: 'Poll Jitter (Seconds)',
		name: 'pollJitter',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1.5,
		description:
			'Reads made by the interval alone come up to this many seconds earlier, at random, so many waits do not poll in lockstep',
	},
	{
		displayName: 'Timeout (Minutes)',
		name: 'timeoutMinutes',
		type: 'number',
		typeOptions: { minValue: 0.1 },
		default: 10,
		description: 'How long to wait for the render before giving up (the render itself goes on)',
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		options: [
			{
				name: 'Error',
				value: 'error',
				description: 'Fail the item (or send it to the error output)',
			},
			{
				name: 'Output Last Status',
				value: 'output',
				description: 'Return the task as it was, with timedOut set to true',
			},
		],
		default: 'error',
	},
];

export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description: `How many items are sent to the provider at once. 0 uses a safe default per provider (${byName(
		ADAPTER_LIST,
	)
		.map((a) => `${a.displayName} ${a.capabilities.defaultConcurrency}`)
		.join(', ')}).`,
};
