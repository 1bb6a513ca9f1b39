import type { IDataObject } from 'n8n-workflow';

import { classifyFailure } from '../../core/errors';
import { CLASSIC_ASPECT } from '../common/aspect';
import { runwayShapeCredits } from '../common/credits';
import { isRunwayStatus, mapRunwayStatus } from '../common/status';
import { createWithoutId, malformedAnswer, taskAskedFor } from '../common/malformed';
import {
	asObject,
	asString,
	costOf,
	failureOf,
	listOf,
	makeTask,
	parseProgress,
	toIso,
	urlList,
} from '../common/task';
import { TERMINAL_STATUSES } from '../../core/types';
import type {
	ApiClient,
	CreateInput,
	ErrorRules,
	MediaRef,
	NormalizedTask,
	ProviderAdapter,
	UploadInput,
} from '../../core/types';

const NAME = 'useapi.net';

export const USEAPI_UPLOAD_TYPES = [
	'image/png',
	'image/jpeg',
	'image/gif',
	'video/mp4',
	'video/quicktime',
	'video/3gpp',
	'video/x-matroska',
	'video/x-flv',
	'video/mpeg',
	'video/MP2T',
	'video/x-msvideo',
	'video/x-motion-jpeg',
	'video/webm',
	'video/ogg',
];

/** useapi task ids contain colons; they work unescaped (providers.md §6.3), everything else is escaped. */
export const encodeTaskId = (id: string) => encodeURIComponent(id).replace(/%3A/gi, ':');

function assetIdOf(ref: MediaRef, field: string): string {
	if (ref.kind !== 'asset')
		throw new Error(`useapi.net needs an asset ID for ${field}; upload the file first.`);
	return ref.assetId;
}

function errorText(error: unknown): { code: string | null; message: string | null } {
	if (typeof error === 'string') return { code: null, message: error };
	const e = asObject(error);
	return {
		code: asString(e.moderation_category) ?? asString(e.reason),
		message: asString(e.errorMessage) ?? asString(e.message) ?? asString(e.reason),
	};
}

/** The task object of a body: bare, or wrapped in { task } (create answers wrap it). */
const taskObject = (outer: IDataObject): IDataObject =>
	outer.task && typeof outer.task === 'object' && !Array.isArray(outer.task)
		? asObject(outer.task)
		: outer;

/** A useapi task object, bare or wrapped in { task } (create answers wrap it). */
export function parseUseapiTask(body: unknown): NormalizedTask {
	const outer = asObject(body);
	const t = taskObject(outer);
	const status = mapRunwayStatus(t.status);
	const artifacts = listOf(t.artifacts);
	const failure = t.error ? errorText(t.error) : { code: null, message: null };
	return makeTask(
		'useapi',
		'act_two',
		asString(t.taskId) ?? asString(outer.taskId) ?? '',
		status,
		body,
		{
			progress: status === 'running' ? parseProgress(t.progressRatio) : undefined,
			outputs: urlList(artifacts.map((a) => asObject(a).url)).map((url) => ({ url })),
			error: failureOf(status, classifyFailure(failure.code, failure.message, useapiErrors)),
			createdAt: toIso(t.createdAt),
			updatedAt: toIso(t.updatedAt),
			replyRef: asString(t.replyRef) ?? asString(outer.replyRef),
			cost: useapiCredits(t, status),
		},
	);
}

/**
 * useapi.net documents no credit field on its tasks (providers.md 2.3). It relays the Runway web app's task, so
 * read Runway's shape where present, or a bare numeric `credits`; nothing else is taken for a price.
 */
function useapiCredits(t: IDataObject, status: NormalizedTask['status']) {
	return (
		runwayShapeCredits(t, status) ??
		costOf(t.credits, 'credits', TERMINAL_STATUSES.includes(status))
	);
}

function createBody(input: CreateInput): IDataObject {
	const body: IDataObject = {
		driving_assetId: assetIdOf(input.reference, 'the driving video'),
		character_assetId: assetIdOf(input.character, 'the character'),
	};
	if (input.ratio) body.aspect_ratio = CLASSIC_ASPECT[input.ratio];
	if (input.bodyControl !== undefined) body.body_control = input.bodyControl;
	if (input.expressionIntensity !== undefined)
		body.expression_intensity = input.expressionIntensity;
	if (input.seed !== undefined) body.seed = input.seed;
	if (input.exploreMode !== undefined) body.exploreMode = input.exploreMode;
	if (input.maxJobs !== undefined) body.maxJobs = input.maxJobs;
	if (input.replyRef) body.replyRef = input.replyRef;
	if (input.callbackUrl) body.replyUrl = input.callbackUrl;
	return body;
}

const useapiErrors: ErrorRules = {
	taskList:
		"useapi.net's list of running tasks (GET /v1/runwayml/scheduler/) or the Runway web app of the linked account",
	classify(status) {
		if (status === 422) return { category: 'moderation', retryable: false };
		// 596: the linked Runway account's session is broken, so nothing could start.
		if (status === 596) return { category: 'provider', retryable: false };
		return null;
	},
	refusals: [596],
};

export const useapiAdapter: ProviderAdapter = {
	id: 'useapi',
	displayName: NAME,
	summary: 'Your own Runway account through useapi.net; files are uploaded as assets',
	credentialType: 'useApiNetApi',
	capabilities: {
		models: ['act_two'],
		cancel: true,
		callbacks: ['act_two'],
		callbackRequired: [],
		uploads: true,
		urlInputs: 'upload',
		assetIds: 'asset',
		defaultConcurrency: 2,
	},
	limits: {
		seed: { min: 1, max: 2147483647 },
		upload: { mimeTypes: USEAPI_UPLOAD_TYPES.map((t) => t.toLowerCase()) },
	},
	options: {
		act_two: [
			'ratio',
			'bodyControl',
			'expressionIntensity',
			'seed',
			'exploreMode',
			'maxJobs',
			'replyRef',
		],
	},
	errors: useapiErrors,
	creditPricing: {
		perSecond: { act_two: 5 },
		roundUpSeconds: true,
		exploreModeFree: true,
		source:
			'useapi.net renders on your own Runway account: 5 credits per second of output, none in Explore Mode',
	},

	async create(client: ApiClient, input: CreateInput) {
		const body = await client.request({
			method: 'POST',
			url: '/gen4/act-two',
			body: createBody(input),
			retry: 'create',
		});
		const task = parseUseapiTask(body);
		if (!task.taskId) throw createWithoutId('useapi', body, NAME);
		return task;
	},

	async get(client, taskId) {
		const body = await client.request({
			method: 'GET',
			url: `/tasks/${encodeTaskId(taskId)}`,
			retry: 'idempotent',
		});
		return taskAskedFor(parseUseapiTask(body), taskId, false, NAME);
	},

	async cancel(client, taskId) {
		await client.request({
			method: 'DELETE',
			url: `/tasks/${encodeTaskId(taskId)}`,
			retry: 'idempotent',
		});
	},

	async upload(client: ApiClient, file: UploadInput) {
		const asset = asObject(
			await client.request({
				method: 'POST',
				url: '/assets/',
				qs: { name: file.fileName },
				headers: { 'Content-Type': file.mimeType, 'Content-Length': String(file.size) },
				openBody: async () => await file.open(),
				retry: 'create',
			}),
		);
		const assetId = asString(asset.assetId);
		if (!assetId)
			throw malformedAnswer(
				'useapi',
				'useapi.net did not return an assetId for the upload.',
				asset,
				false,
			);
		return {
			provider: 'useapi',
			ref: { kind: 'asset', type: file.mediaType, assetId },
			url: asString(asset.url),
			expiresAt: null,
			raw: asset,
		};
	},

	parseCallback(body) {
		const t = taskObject(asObject(body));
		if (typeof t.taskId !== 'string' || !t.taskId || !isRunwayStatus(t.status)) return null;
		return parseUseapiTask(body);
	},
};
