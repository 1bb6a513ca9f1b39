import type { INodeProperties } from 'n8n-workflow';

import { MODEL_NAMES } from '../../core/types';
import type { CreateOption, ModelId, ProviderAdapter } from '../../core/types';
import { ADAPTER_LIST, byName, providersWhere } from '../../providers';
import { modelProperty } from '../common.description';

const MODELS = Object.keys(MODEL_NAMES) as ModelId[];
const takes = (a: ProviderAdapter, option: CreateOption) =>
	Object.values(a.options).some((list) => list?.includes(option));
const callsBack = (a: ProviderAdapter) => a.capabilities.callbacks.length > 0;

/** Shown for the providers that take an option, hidden for models no provider takes it with. */
function takenBy(option: CreateOption) {
	const hide = MODELS.filter(
		(m) =>
			ADAPTER_LIST.some((a) => a.capabilities.models.includes(m)) &&
			!ADAPTER_LIST.some((a) => a.options[m]?.includes(option)),
	);
	return {
		show: { '/provider': providersWhere((a) => takes(a, option)) },
		...(hide.length ? { hide: { '/model': hide } } : {}),
	};
}

const seedRanges = () =>
	byName(ADAPTER_LIST.filter((a) => takes(a, 'seed')))
		.map((a) => `${a.displayName}: ${a.limits.seed.min}–${a.limits.seed.max}`)
		.join('; ');

const show = (extra: Record<string, Array<string | boolean>> = {}) => ({
	show: { resource: ['task'], operation: ['create'], ...extra },
});

const mediaFields = (
	role: 'character' | 'driving',
	label: string,
	noun: string,
	binaryField: string,
): INodeProperties[] => [
	{
		displayName: `${label} Source`,
		name: `${role}Source`,
		type: 'options',
		options: [
			{
				name: 'Asset ID',
				value: 'asset',
				description: 'The asset ID (or URL) the Upload operation returned',
			},
			{
				name: 'Binary File',
				value: 'binary',
				description: 'A file from a previous node (form upload, Drive, S3…)',
			},
			{ name: 'URL', value: 'url', description: 'A public HTTPS link the provider can fetch' },
		],
		default: 'url',
		displayOptions: show(),
	},
	{
		displayName: `${label} URL`,
		name: `${role}Url`,
		type: 'string',
		required: true,
		default: '',
		placeholder:
			role === 'driving'
				? 'https://example.com/performance.mp4'
				: 'https://example.com/character.png',
		description: `Public HTTPS URL of the ${noun}`,
		displayOptions: show({ [`${role}Source`]: ['url'] }),
	},
	{
		displayName: `${label} Input Field`,
		name: `${role}BinaryProperty`,
		type: 'string',
		required: true,
		default: binaryField,
		description: `The binary field of the input item that holds the ${noun}`,
		displayOptions: show({ [`${role}Source`]: ['binary'] }),
	},
	{
		displayName: `${label} Asset ID`,
		name: `${role}AssetId`,
		type: 'string',
		required: true,
		default: '',
		description: `The ${noun} as an asset returned by the Upload operation`,
		displayOptions: show({ [`${role}Source`]: ['asset'] }),
	},
];

export const createFields: INodeProperties[] = [
	modelProperty(['create', 'get', 'wait', 'downloadVideo']),
	{
		displayName: 'Character Type',
		name: 'characterType',
		type: 'options',
		options: [
			{
				name: 'Image',
				value: 'image',
				description: 'Keeps the performance in the image’s static scene; gestures apply',
			},
			{
				name: 'Video',
				value: 'video',
				description: 'Keeps the character video’s own animated scene',
			},
		],
		default: 'image',
		description: 'For binary files the type is read from the file itself',
		displayOptions: show({ characterSource: ['url', 'asset'] }),
	},
	...mediaFields('character', 'Character', 'character image or video', 'character'),
	...mediaFields('driving', 'Driving Video', 'driving performance video (3–30 s)', 'driving'),
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'options',
		options: [
			{
				name: "Don't Wait",
				value: 'none',
				description: 'Return the task ID at once; use Get, Wait or the trigger later',
			},
			{
				name: 'Poll Until Done',
				value: 'poll',
				description: 'Poll the provider in this step until every render ends',
			},
			{
				name: 'Until Callback (No Worker Held)',
				value: 'callback',
				description:
					'Park the execution and resume it when the provider calls back; survives restarts',
			},
		],
		default: 'none',
		displayOptions: show(),
	},
	{
		displayName:
			'The execution is stored as waiting and resumed by the provider’s callback. Set N8N_WEBHOOK_URL so the provider can reach this n8n. One render per execution: split batches with Loop Over Items and an Execute Workflow node.',
		name: 'callbackNotice',
		type: 'notice',
		default: '',
		displayOptions: show({ waitForCompletion: ['callback'] }),
	},
	{
		displayName: 'Generation Options',
		name: 'createOptions',
		type: 'collection',
		placeholder: 'Add Generation Option',
		default: {},
		displayOptions: show(),
		options: [
			{
				displayName: 'Body Control',
				name: 'bodyControl',
				type: 'boolean',
				default: true,
				description:
					'Whether to transfer body movement and gestures as well as the face (image characters)',
				displayOptions: takenBy('bodyControl'),
			},
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/…/act-two?secret=…',
				description:
					'Where the provider posts the result: paste the Act-Two Trigger node’s production URL here',
				displayOptions: { show: { '/provider': providersWhere(callsBack) } },
			},
			{
				displayName: 'Explore Mode',
				name: 'exploreMode',
				type: 'boolean',
				default: false,
				description: 'Whether to run as a relaxed, credit-free generation (Runway Unlimited plans)',
				displayOptions: takenBy('exploreMode'),
			},
			{
				displayName: 'Expression Intensity',
				name: 'expressionIntensity',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 5, numberPrecision: 0 },
				default: 3,
				description: 'How strongly facial expressions are transferred, 1 to 5',
				displayOptions: takenBy('expressionIntensity'),
			},
			{
				displayName: 'Max Jobs',
				name: 'maxJobs',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 1,
				description:
					'How many renders the provider may run in parallel on the linked Runway account, 1 to 10',
				displayOptions: takenBy('maxJobs'),
			},
			{
				displayName: 'Public Figure Threshold',
				name: 'publicFigureThreshold',
				type: 'options',
				options: [
					{ name: 'Auto', value: 'auto' },
					{ name: 'Low (Less Strict)', value: 'low' },
				],
				default: 'auto',
				description: 'How strictly content moderation treats recognizable public figures',
				displayOptions: takenBy('publicFigureThreshold'),
			},
			{
				displayName: 'Ratio',
				name: 'ratio',
				type: 'options',
				options: [
					{ name: '1:1 Square (960×960)', value: '960:960' },
					{ name: '16:9 Landscape (1280×720)', value: '1280:720' },
					{ name: '21:9 Cinematic (1584×672)', value: '1584:672' },
					{ name: '3:4 Portrait (832×1104)', value: '832:1104' },
					{ name: '4:3 Landscape (1104×832)', value: '1104:832' },
					{ name: '9:16 Portrait (720×1280)', value: '720:1280' },
				],
				default: '1280:720',
				description: 'Output size; mapped to each provider’s own format',
				displayOptions: takenBy('ratio'),
			},
			{
				displayName: 'Reply Reference',
				name: 'replyRef',
				type: 'string',
				default: '',
				description: 'Your own reference, returned with the task and its callback',
				displayOptions: takenBy('replyRef'),
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 0 },
				// 1 is in every provider's range (useapi.net's starts there).
				default: 1,
				description: `Same seed and inputs give the same render. ${seedRanges()}.`,
				displayOptions: takenBy('seed'),
			},
		],
	},
];

export const capacityWaitOption: INodeProperties = {
	displayName: 'Max Wait for Capacity (Minutes)',
	name: 'capacityWaitMinutes',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 30,
	description:
		'When the provider answers that the account is busy or rate limited (429: nothing was started), how long an item may wait for a free slot before it fails. It tries again after the provider’s Retry-After, else after 10–30 s, or as soon as one of this node’s own renders ends. 0 fails at once (after a few quick retries).',
};

/** Interval and jitter also pace the reads while an item waits for capacity; a timeout bounds waiting only. */
const WAIT_MODES: Record<string, string[]> = {
	timeoutMinutes: ['poll', 'callback'],
	onTimeout: ['poll'],
};

export const createPollingOptions = (options: INodeProperties[]): INodeProperties[] =>
	options.map((o) =>
		WAIT_MODES[o.name]
			? { ...o, displayOptions: { show: { '/waitForCompletion': WAIT_MODES[o.name] } } }
			: o,
	);
