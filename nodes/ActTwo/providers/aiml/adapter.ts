import type { IDataObject } from 'n8n-workflow';

import { classifyFailure, CREDITS_TEXT, ProviderError } from '../../core/errors';
import { TERMINAL_STATUSES } from '../../core/types';
import type {
	ApiClient,
	CreateInput,
	ErrorRules,
	MediaRef,
	NormalizedTask,
	ProviderAdapter,
	TaskError,
} from '../../core/types';
import { createWithoutId, taskAskedFor } from '../common/malformed';
import { asObject, asString, costOf, failureOf, makeTask, toIso } from '../common/task';
import { generationError, videoUrl } from './output';
import { mapAimlStatus } from './status';

const NAME = 'AIML API';
export const AIML_MODEL = 'runway/act_two';
const GENERATIONS = '/v2/video/generations';

function media(ref: MediaRef): IDataObject {
	if (ref.kind !== 'uri') throw new Error('AIML API takes public URLs, not asset IDs.');
	return { type: ref.type, url: ref.uri };
}

/** The body of POST /v2/video/generations (providers.md 7 A.2): snake_case, `url` not `uri`, `frame_size`. */
export function aimlCreateBody(input: CreateInput): IDataObject {
	const body: IDataObject = {
		model: AIML_MODEL,
		character: media(input.character),
		reference: media(input.reference),
	};
	if (input.ratio !== undefined) body.frame_size = input.ratio;
	if (input.bodyControl !== undefined) body.body_control = input.bodyControl;
	if (input.expressionIntensity !== undefined)
		body.expression_intensity = input.expressionIntensity;
	if (input.seed !== undefined) body.seed = input.seed;
	return body;
}

const aimlErrors: ErrorRules = {
	taskList: 'the usage history of your AIML API dashboard (aimlapi.com/app)',
	// AIML answers an empty balance with 403 (not 402); a 403 about the key stays an auth error.
	classify: (status, message) =>
		status === 403 &&
		(CREDITS_TEXT.test(message) || !/api key|token|unauthori[sz]ed/i.test(message))
			? { category: 'credits', retryable: false }
			: null,
};

/** A completed generation whose answer carries no video URL in any known shape. */
const noOutput = (id: string): TaskError => ({
	code: 'no_output',
	message: `AIML API reported generation ${id} as completed but its answer carries no video URL.`,
	category: 'provider',
	retryable: false,
});

/** A generation object (A.3): status, `video` in four shapes, `error` in three, `meta.usage.credits_used`. */
export function parseGeneration(body: unknown): NormalizedTask {
	const g = asObject(body);
	const id = asString(g.id) ?? asString(g.generation_id) ?? '';
	let status = mapAimlStatus(g.status);
	const url = status === 'succeeded' ? videoUrl(g.video) : null;
	let error: TaskError | null = null;
	if (status === 'succeeded' && !url) {
		status = 'failed';
		error = noOutput(id);
	} else if (status === 'failed') {
		const e = generationError(g.error);
		error = classifyFailure(e.code, e.message, aimlErrors);
	}
	return makeTask('aiml', 'act_two', id, status, body, {
		outputs: url ? [{ url }] : [],
		error: failureOf(status, error),
		createdAt: toIso(g.created_at) ?? toIso(g.createdAt),
		updatedAt: toIso(g.updated_at) ?? toIso(g.updatedAt),
		cost: costOf(
			asObject(asObject(g.meta).usage).credits_used,
			'credits',
			TERMINAL_STATUSES.includes(status),
		),
	});
}

/**
 * A poll for an id AIML does not know (yet): its answer to an unknown id is UNCONFIRMED (a 404 is likely).
 * Read as "not yet visible", so a poll right after the create reads it again for a while before failing.
 */
function notYetVisible(error: unknown, taskId: string): unknown {
	if (!(error instanceof ProviderError) || error.httpCode !== 404) return error;
	return new ProviderError(
		'aiml',
		{
			code: 'task_not_exist',
			message: `AIML API has no generation ${taskId} (yet): ${error.detail.message}`,
			category: 'not_found',
			retryable: false,
		},
		404,
		error.responseBody,
	);
}

export const aimlAdapter: ProviderAdapter = {
	id: 'aiml',
	displayName: NAME,
	summary: 'Act-Two through the AIML API gateway; URLs only, polling only',
	credentialType: 'aimlApi',
	capabilities: {
		models: ['act_two'],
		cancel: false,
		callbacks: [],
		callbackRequired: [],
		uploads: false,
		urlInputs: 'direct',
		assetIds: 'none',
		defaultConcurrency: 3,
	},
	limits: { seed: { min: 0, max: 4294967295 } },
	options: { act_two: ['ratio', 'bodyControl', 'expressionIntensity', 'seed'] },
	errors: aimlErrors,

	async create(client: ApiClient, input: CreateInput) {
		const res = asObject(
			await client.request({
				method: 'POST',
				url: GENERATIONS,
				body: aimlCreateBody(input),
				retry: 'create',
			}),
		);
		const id = asString(res.id) ?? asString(res.generation_id);
		if (!id) throw createWithoutId('aiml', res, NAME);
		return makeTask('aiml', 'act_two', id, 'queued', res);
	},

	async get(client, taskId) {
		let body: unknown;
		try {
			body = await client.request({
				method: 'GET',
				url: GENERATIONS,
				qs: { generation_id: taskId },
				retry: 'idempotent',
			});
		} catch (error) {
			throw notYetVisible(error, taskId);
		}
		return taskAskedFor(parseGeneration(body), taskId, false, NAME);
	},

	// AIML sends no callbacks (A.5): nothing that arrives is one of its.
	parseCallback: () => null,
};
