import type { IDataObject } from 'n8n-workflow';

import { classifyFailure } from '../shared/errors';
import { isJobsState, mapJobsState } from './status';
import { createWithoutId, taskAskedFor } from './malformed';
import { asNumber, asObject, asString, failureOf, makeTask, toIso, urlList } from './task';
import type { ApiClient, CreateInput, MediaRef, NormalizedTask, ProviderAdapter } from './types';

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

export function parseJobsRecord(body: unknown): NormalizedTask {
	const d = asObject(asObject(body).data);
	const status = mapJobsState(d.state);
	// 501 is Kie's "generation failed" code (providers.md 4.2), in callbacks and records alike.
	const failed = status === 'failed' || asNumber(asObject(body).code) === 501;
	const finalStatus = failed ? 'failed' : status;
	const id = asString(d.taskId) ?? asString(d.task_id) ?? '';
	return makeTask('liangxin', 'act_two', id, finalStatus, body, {
		outputs: resultUrls(d.resultJson).map((url) => ({ url })),
		error: failureOf(
			finalStatus,
			classifyFailure(asString(d.failCode), asString(d.failMsg) ?? asString(asObject(body).msg)),
		),
		createdAt: toIso(d.createTime),
		updatedAt: toIso(d.updateTime) ?? toIso(d.completeTime),
	});
}

export const liangxinAdapter: ProviderAdapter = {
	id: 'liangxin',
	displayName: 'LiangXin',
	credentialType: 'liangXinApi',
	capabilities: {
		models: ['act_two'],
		cancel: false,
		callbacks: ['act_two'],
		upload: 'none',
		defaultConcurrency: 3,
	},

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
		if (!id) throw createWithoutId('liangxin', res);
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
		return taskAskedFor(parseJobsRecord(body), taskId);
	},

	async cancel() {
		throw new Error('LiangXin has no cancel endpoint.');
	},

	async upload() {
		throw new Error('LiangXin takes public URLs only; it has no known upload endpoint.');
	},

	parseCallback(body) {
		const d = asObject(asObject(body).data);
		if (d.taskId === undefined && d.task_id === undefined) return null;
		// A documented state, or (state left out) the failure envelope code 501: anything else is not understood.
		const code = asObject(body).code;
		if (code !== undefined && asNumber(code) === null) return null;
		if (!isJobsState(d.state) && !(d.state === undefined && asNumber(code) === 501)) return null;
		const task = parseJobsRecord(body);
		return task.taskId ? task : null;
	},
};
