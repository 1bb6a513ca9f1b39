import { classifyFailure, CREDITS_TEXT, ProviderError } from '../../core/errors';
import { settle } from '../../core/settle';
import { parseRunwayTask, RUNWAY_VERSION, runwayCreateBody } from '../common/runway-format';
import {
	isCometLegacyStatus,
	isGatewayStatus,
	mapCometLegacyStatus,
	mapGatewayStatus,
} from './status';
import { createWithoutId, taskAskedFor } from '../common/malformed';
import {
	asNumber,
	asObject,
	asString,
	failureOf,
	firstUrl,
	makeTask,
	parseProgress,
	toIso,
} from '../common/task';
import type {
	ApiClient,
	CreateInput,
	ErrorRules,
	ModelId,
	NormalizedTask,
	ProviderAdapter,
} from '../../core/types';

const NAME = 'CometAPI';

/** Legacy reverse-format answers carry {code: 200} on success; anything else is an error code. */
const legacyCode = (body: unknown): number | null => {
	const code = asObject(body).code;
	if (code === undefined || code === 200 || code === '200' || code === 'success') return null;
	const n = asNumber(code);
	return n !== null && n >= 400 && n <= 999 ? n : 400;
};

/** CometAPI says a task may briefly "not exist" after create (providers.md 3.1). */
function isTaskNotExist(body: unknown): boolean {
	const b = asObject(body);
	const e = asObject(b.error);
	return [b.code, b.message, b.msg, b.error, e.code, e.message, e.type].some(
		(v) => typeof v === 'string' && /task_not_exist/i.test(v),
	);
}

function taskNotExist(taskId: string, body: unknown): ProviderError {
	return new ProviderError(
		'comet',
		{
			code: 'task_not_exist',
			message: `Task ${taskId} does not exist (yet).`,
			category: 'not_found',
			retryable: false,
		},
		null,
		body,
	);
}

/** The new-api gateway wrapper: {code:'success', data:{task_id, status, progress, fail_reason, data:{…runway task…}}}. */
function parseGateway(model: ModelId, body: unknown): NormalizedTask {
	const d = asObject(asObject(body).data);
	const inner = asObject(d.data);
	const status = mapGatewayStatus(d.status);
	const url = firstUrl(inner.output, d.result_url, d.video_url, inner.video_url, inner.result_url);
	const failure = classifyFailure(
		asString(inner.failureCode),
		asString(d.fail_reason) ?? asString(inner.failure),
	);
	// Only the wrapper's own task_id names our task: data.data.id may be the upstream provider's id.
	return makeTask('comet', model, asString(d.task_id) ?? '', status, body, {
		progress: status === 'running' ? parseProgress(d.progress) : undefined,
		outputs: url ? [{ url }] : [],
		error: failureOf(status, failure),
		createdAt: toIso(d.submit_time) ?? toIso(inner.createdAt),
		updatedAt: toIso(d.finish_time) ?? toIso(d.start_time),
	});
}

/** Legacy feed data (also the Act-One callback body): string status "0".."3", video_url, msg. */
function parseLegacy(data: unknown, raw: unknown): NormalizedTask {
	const d = asObject(data);
	const status = mapCometLegacyStatus(d.status, d.state);
	const url = firstUrl(d.video_url, d.raw_video_url);
	return makeTask('comet', 'act_one', asString(d.task_id) ?? '', status, raw, {
		outputs: url ? [{ url }] : [],
		error: failureOf(status, classifyFailure(null, asString(d.msg))),
		createdAt: toIso(d.create_time),
		updatedAt: toIso(d.update_time),
	});
}

function isGateway(body: unknown): boolean {
	const b = asObject(body);
	const d = asObject(b.data);
	return d.task_id !== undefined && typeof d.status === 'string' && /^[A-Z_]+$/.test(d.status);
}

const cometErrors: ErrorRules = {
	taskList: 'the task log of your CometAPI console',
	// CometAPI answers an empty balance with 401/403.
	classify: (status, message) =>
		(status === 401 || status === 403) && CREDITS_TEXT.test(message)
			? { category: 'credits', retryable: false }
			: null,
};

export const cometAdapter: ProviderAdapter = {
	id: 'comet',
	displayName: NAME,
	summary: 'Act-Two (Runway format) and Act-One; URLs only',
	credentialType: 'cometApi',
	capabilities: {
		models: ['act_two', 'act_one'],
		cancel: false,
		callbacks: ['act_one'],
		callbackRequired: ['act_one'],
		uploads: false,
		urlInputs: 'direct',
		assetIds: 'none',
		defaultConcurrency: 3,
	},
	limits: {
		seed: { min: 0, max: 4294967295 },
		ratios: { act_one: ['1280:720'] },
		characterTypes: { act_one: ['image'] },
	},
	options: {
		act_two: ['ratio', 'bodyControl', 'expressionIntensity', 'seed', 'publicFigureThreshold'],
		act_one: ['ratio'],
	},
	errors: cometErrors,

	async create(client: ApiClient, input: CreateInput) {
		if (input.model === 'act_one') {
			const uri = (r: CreateInput['character']) => (r.kind === 'uri' ? r.uri : r.assetId);
			const body: Record<string, string> = {
				video: uri(input.reference),
				image: uri(input.character),
			};
			if (input.callbackUrl) body.callback_url = input.callbackUrl;
			const res = asObject(
				await client.request({
					method: 'POST',
					url: '/runway/pro/act_one',
					body,
					retry: 'create',
					businessCode: legacyCode,
				}),
			);
			const id = asString(asObject(res.data).task_id);
			if (!id) throw createWithoutId('comet', res, NAME);
			return makeTask('comet', 'act_one', id, 'queued', res);
		}
		const res = asObject(
			await client.request({
				method: 'POST',
				url: '/runwayml/v1/character_performance',
				headers: { 'X-Runway-Version': RUNWAY_VERSION },
				body: runwayCreateBody(input),
				retry: 'create',
			}),
		);
		const id = asString(res.id) ?? asString(asObject(res.data).task_id);
		if (!id) throw createWithoutId('comet', res, NAME);
		return makeTask('comet', 'act_two', id, 'queued', res);
	},

	async get(client, taskId, model) {
		const read = await settle(
			model === 'act_one'
				? client.request({
						method: 'POST',
						url: '/runway/feed',
						body: { task_id: taskId },
						retry: 'idempotent',
					})
				: client.request({
						method: 'GET',
						url: `/runwayml/v1/tasks/${encodeURIComponent(taskId)}`,
						retry: 'idempotent',
					}),
		);
		if (!read.ok) {
			const { error } = read;
			throw error instanceof ProviderError && isTaskNotExist(error.responseBody)
				? taskNotExist(taskId, error.responseBody)
				: error;
		}
		const body = read.value;
		if (isTaskNotExist(body)) throw taskNotExist(taskId, body);
		// Every documented shape names the task, but the wrapper's fields are partly UNCONFIRMED: an answer
		// without an id keeps the id it was read by (as before); one naming another task is a malformed read.
		if (isGateway(body)) return taskAskedFor(parseGateway(model, body), taskId, true, NAME);
		if (model === 'act_one') {
			const code = legacyCode(body);
			if (code !== null)
				throw new ProviderError(
					'comet',
					classifyFailure(String(code), asString(asObject(body).msg)),
					code,
					body,
				);
			return taskAskedFor(parseLegacy(asObject(body).data, body), taskId, true, NAME);
		}
		return taskAskedFor(parseRunwayTask('comet', body), taskId, true, NAME);
	},

	parseCallback(body) {
		const b = asObject(body);
		const d = asObject(b.data);
		const task = isGateway(b)
			? isGatewayStatus(d.status)
				? parseGateway('act_one', b)
				: null
			: b.task_id !== undefined && isCometLegacyStatus(b.status, b.state)
				? parseLegacy(b, b)
				: d.task_id !== undefined && isCometLegacyStatus(d.status, d.state)
					? parseLegacy(d, b)
					: null;
		// A callback is only about a task it names: without a usable id it is not a callback.
		return task && task.taskId ? task : null;
	},
};
