import { createWithoutId, malformedAnswer, taskAskedFor } from './malformed';
import { parseRunwayTask, runwayCreateBody } from './runway-format';
import { runwayUrlRules } from './runway-url-rules';
import { asObject, asString, makeTask } from './task';
import type { ApiClient, CreateInput, ProviderAdapter, UploadInput, UploadResult } from './types';

/** Data URIs are accepted up to these sizes; larger files go through /v1/uploads (providers.md 1.5). */
export const RUNWAY_DATA_URI_LIMIT = { image: 5 * 1024 * 1024, video: 16 * 1024 * 1024 };
export const RUNWAY_UPLOAD_LIMIT = { min: 512, max: 200 * 1024 * 1024 };

async function upload(client: ApiClient, file: UploadInput): Promise<UploadResult> {
	if (!file.forceUpload && file.size <= RUNWAY_DATA_URI_LIMIT[file.mediaType]) {
		const uri = `data:${file.mimeType};base64,${(await file.read()).toString('base64')}`;
		return {
			provider: 'runway',
			ref: { kind: 'uri', type: file.mediaType, uri },
			url: null,
			expiresAt: null,
			raw: { kind: 'dataUri', bytes: file.size },
		};
	}
	const slot = asObject(
		await client.request({
			method: 'POST',
			url: '/v1/uploads',
			body: { filename: file.fileName, type: 'ephemeral' },
			retry: 'create',
		}),
	);
	const uploadUrl = asString(slot.uploadUrl);
	const runwayUri = asString(slot.runwayUri);
	if (!uploadUrl || !runwayUri)
		throw malformedAnswer('runway', 'Runway did not return an upload URL.', slot, false);
	const form = new FormData();
	for (const [key, value] of Object.entries(asObject(slot.fields))) {
		const text = typeof value === 'string' ? value : asString(value);
		if (text !== null) form.append(key, text);
	}
	// The SDK's own upload buffers the file too: a multipart stream needs a form library n8n nodes may not import.
	form.append('file', new Blob([await file.read()], { type: file.mimeType }), file.fileName);
	await client.request({
		method: 'POST',
		url: uploadUrl,
		body: form,
		retry: 'create',
		authenticated: false,
	});
	const expiresAt = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
	return {
		provider: 'runway',
		ref: { kind: 'uri', type: file.mediaType, uri: runwayUri },
		url: null,
		expiresAt,
		raw: { runwayUri },
	};
}

export const runwayAdapter: ProviderAdapter = {
	id: 'runway',
	displayName: 'Runway',
	credentialType: 'runwayApi',
	capabilities: {
		models: ['act_two'],
		cancel: true,
		callbacks: [],
		upload: 'runway',
		defaultConcurrency: 2,
	},
	urlInputRules: runwayUrlRules,

	async create(client: ApiClient, input: CreateInput) {
		const body = asObject(
			await client.request({
				method: 'POST',
				url: '/v1/character_performance',
				body: runwayCreateBody(input),
				retry: 'create',
			}),
		);
		const id = asString(body.id);
		if (!id) throw createWithoutId('runway', body);
		return makeTask('runway', 'act_two', id, 'queued', body);
	},

	async get(client, taskId) {
		const body = await client.request({
			method: 'GET',
			url: `/v1/tasks/${encodeURIComponent(taskId)}`,
			retry: 'idempotent',
		});
		return taskAskedFor(parseRunwayTask('runway', body), taskId);
	},

	async cancel(client, taskId) {
		await client.request({
			method: 'DELETE',
			url: `/v1/tasks/${encodeURIComponent(taskId)}`,
			headers: { Accept: '*/*' },
			retry: 'idempotent',
		});
	},

	upload,

	parseCallback: () => null,
};
