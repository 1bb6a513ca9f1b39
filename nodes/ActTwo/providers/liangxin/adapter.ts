import type { IDataObject } from 'n8n-workflow';

import { classifyFailure } from '../../core/errors';
import { isJobsState, mapJobsState } from './status';
import { verifyLiangXinSignature } from './signature';
import { createWithoutId, taskAskedFor } from '../common/malformed';
import { asNumber, asObject, asString, failureOf, makeTask, toIso, urlList } from '../common/task';
import type {
	ApiClient,
	CreateInput,
	ErrorRules,
	MediaRef,
	NormalizedTask,
	ProviderAdapter,
} from '../../core/types';

const NAME = 'LiangXin';

export const LIANGXIN_MODEL = 'runway-act-two';

/** Kie-style envelopes carry the business code in the body; HTTP status may still be 200. */
const businessCode = (body: unknown): number | null => {
	const code = asNumber(asObject(body).code);
	return code !== null && code !== 200 && code !== 0 ? code : null;
};

function media(ref: MediaRef): IDataObject {
	if (ref.kind !== 'uri') throw new Error('LiangXin takes public URLs, not asset IDs.');
	return { type: ref.type, uri: ref.uri };
}

/** resultJson is a JSON string: {"resultUrls":[…]} (providers.md 4.1). */
function resultUrls(resultJson: unknown): string[] {
	let parsed: unknown = resultJson;
	if (typeof resultJson === 'string') {
		try {
			parsed = resultJson ? JSON.parse(resultJson) : {};
		} catch {
			return [];
		}
	}
	return urlList(asObject(parsed).resultUrls);
}

const liangxinErrors: ErrorRules = {
	taskList: 'the task records of your LiangXin console',
	// Kie's 501 is "generation failed", with no cause.
	classify: (status) => (status === 501 ? { category: 'provider', retryable: false } : null),
};

export function parseJobsRecord(body: unknown): NormalizedTask {
	const d = asObject(asObject(body).data);
	const finalStatus = mapJobsState(d.state, asNumber(asObject(body).code));
	const id = asString(d.taskId) ?? asString(d.task_id) ?? '';
	return makeTask('liangxin', 'act_two', id, finalStatus, body, {
		outputs: resultUrls(d.resultJson).map((url) => ({ url })),
		error: failureOf(
			finalStatus,
			classifyFailure(
				asString(d.failCode),
				asString(d.failMsg) ?? asString(asObject(body).msg),
				liangxinErrors,
			),
		),
		createdAt: toIso(d.createTime),
		updatedAt: toIso(d.updateTime) ?? toIso(d.completeTime),
	});
}

export const liangxinAdapter: ProviderAdapter = {
	id: 'liangxin',
	displayName: NAME,
	summary: 'Unified jobs API (also Kie-style gateways); URLs only',
	credentialType: 'liangXinApi',
	capabilities: {
		models: ['act_two'],
		cancel: false,
		callbacks: ['act_two'],
		callbackRequired: [],
		uploads: false,
		urlInputs: 'direct',
		assetIds: 'none',
		defaultConcurrency: 3,
	},
	limits: { seed: { min: 0, max: 4294967295 } },
	options: { act_two: ['ratio', 'bodyControl', 'expressionIntensity', 'seed'] },
	errors: liangxinErrors,

	async create(client: ApiClient, input: CreateInput) {
		const inputBody: IDataObject = {
			character: media(input.character),
			reference: media(input.reference),
		};
		if (input.ratio) inputBody.ratio = input.ratio;
		if (input.bodyControl !== undefined) inputBody.body_control = input.bodyControl;
		if (input.expressionIntensity !== undefined)
			inputBody.expression_intensity = input.expressionIntensity;
		if (input.seed !== undefined) inputBody.seed = input.seed;
		const body: IDataObject = { model: LIANGXIN_MODEL, input: inputBody };
		if (input.callbackUrl) body.callBackUrl = input.callbackUrl;
		const res = asObject(
			await client.request({
				method: 'POST',
				url: '/api/v1/jobs/createTask',
				body,
				retry: 'create',
				businessCode,
			}),
		);
		const id = asString(asObject(res.data).taskId);
		if (!id) throw createWithoutId('liangxin', res, NAME);
		return makeTask('liangxin', 'act_two', id, 'queued', res);
	},

	async get(client, taskId) {
		const body = await client.request({
			method: 'GET',
			url: '/api/v1/jobs/recordInfo',
			qs: { taskId },
			retry: 'idempotent',
			businessCode,
		});
		return taskAskedFor(parseJobsRecord(body), taskId, false, NAME);
	},

	verifyCallback: verifyLiangXinSignature,

	parseCallback(body) {
		const d = asObject(asObject(body).data);
		if (d.taskId === undefined && d.task_id === undefined) return null;
		// A documented state, or (state left out) the failure envelope code 501: anything else is not understood.
		const code = asObject(body).code;
		if (code !== undefined && asNumber(code) === null) return null;
		if (!isJobsState(d.state, asNumber(code))) return null;
		const task = parseJobsRecord(body);
		return task.taskId ? task : null;
	},
};
