import type { IDataObject } from 'n8n-workflow';

import { classifyFailure, ProviderError } from '../../core/errors';
import { multipartBody } from '../../core/multipart';
import { settle } from '../../core/settle';
import { createWithoutId, malformedAnswer, taskAskedFor } from '../common/malformed';
import { CLASSIC_ASPECT } from '../common/aspect';
import {
	asObject,
	asString,
	costOf,
	failureOf,
	firstUrl,
	listOf,
	makeTask,
	toIso,
} from '../common/task';
import { muapiErrors, muapiMessage, muapiRequest } from './errors';
import { isMuapiStatus, mapMuapiStatus } from './status';
import { TERMINAL_STATUSES } from '../../core/types';
import type {
	ApiClient,
	CreateInput,
	MediaRef,
	NormalizedTask,
	ProviderAdapter,
	TaskCost,
	TaskStatus,
	UploadInput,
} from '../../core/types';

const NAME = 'Muapi';

const MB = 1024 * 1024;
/** POST /upload_file: images up to 10 MB, videos up to 50 MB (providers.md 7 B.8). */
export const MUAPI_UPLOAD = {
	imageMaxBytes: 10 * MB,
	videoMaxBytes: 50 * MB,
	mimeTypes: ['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'video/quicktime'],
} as const;

function urlOf(ref: MediaRef): string {
	// assetIds is 'uri': an Asset ID input (an uploaded file's URL) arrives here as a URI too.
	if (ref.kind !== 'uri') throw new Error('Muapi takes URLs, not asset IDs.');
	return ref.uri;
}

/** The endpoint and body of a create: the character's type picks the model (providers.md 7 B.2/B.3). */
function createRequest(input: CreateInput): { url: string; body: IDataObject } {
	const video = input.character.type === 'video';
	const body: IDataObject = {
		[video ? 'video_url' : 'image_url']: urlOf(input.character),
		reference_video_url: urlOf(input.reference),
	};
	if (input.ratio) body.aspect_ratio = CLASSIC_ASPECT[input.ratio];
	return { url: video ? '/runway-act-two-v2v' : '/runway-act-two-i2v', body };
}

/**
 * The US dollars a prediction costs: charged when it is created (an estimate until it ends), nothing once a
 * failed one is refunded (`cost.refunded`).
 */
function muapiCost(body: IDataObject, status: TaskStatus): TaskCost | null {
	const cost = asObject(body.cost);
	const final = TERMINAL_STATUSES.includes(status);
	if (final && cost.refunded === true) return { amount: 0, unit: 'usd', final };
	return costOf(cost.amount_usd, 'usd', final);
}

/** An output entry: a URL string, or {url} / {video_url} (other Muapi models). */
const outputUrl = (entry: unknown): string | null =>
	firstUrl(entry, asObject(entry).url, asObject(entry).video_url);

function outputUrls(p: IDataObject): string[] {
	const listed = listOf(p.outputs)
		.map(outputUrl)
		.filter((u): u is string => u !== null);
	if (listed.length > 0) return listed;
	const single = outputUrl(p.output) ?? firstUrl(p.video_url, p.url);
	return single ? [single] : [];
}

/**
 * A prediction: the result body (plain or wrapped in `detail`) or a webhook payload. `failedRead` is a result
 * read Muapi answered with HTTP 400, its way of saying the prediction failed; `readError` is that answer's text
 * when its body held no reason.
 */
export function parsePrediction(
	body: unknown,
	failedRead = false,
	readError: string | null = null,
): NormalizedTask {
	const outer = asObject(body);
	const wrapped =
		outer.detail !== null && typeof outer.detail === 'object' && !Array.isArray(outer.detail);
	const p = wrapped ? asObject(outer.detail) : outer;
	const outputs = outputUrls(p);
	let status: TaskStatus = failedRead ? 'failed' : mapMuapiStatus(p.status);
	// "completed" names a video: without one it is not done yet as far as the node can tell.
	if (status === 'succeeded' && outputs.length === 0) status = 'running';
	const reason = muapiMessage(p) ?? muapiMessage(outer) ?? readError;
	return makeTask(
		'muapi',
		'act_two',
		asString(p.id) ?? asString(p.request_id) ?? '',
		status,
		body,
		{
			outputs: status === 'succeeded' ? outputs.map((url) => ({ url })) : [],
			error: failureOf(status, classifyFailure(null, reason, muapiErrors)),
			createdAt: toIso(p.created_at),
			cost: muapiCost(p, status),
		},
	);
}

async function uploadFile(client: ApiClient, file: UploadInput) {
	const max = file.mediaType === 'video' ? MUAPI_UPLOAD.videoMaxBytes : MUAPI_UPLOAD.imageMaxBytes;
	if (file.size > max)
		throw new Error(
			`${file.fileName} is ${(file.size / MB).toFixed(1)} MB; Muapi accepts ${file.mediaType}s up to ${max / MB} MB. Nothing was uploaded.`,
		);
	const form = multipartBody(
		{},
		{
			fieldName: 'file',
			fileName: file.fileName,
			contentType: file.mimeType,
			size: file.size,
			open: file.open,
		},
	);
	const answer = asObject(
		await muapiRequest(client, {
			method: 'POST',
			url: '/upload_file',
			headers: { 'Content-Type': form.contentType, 'Content-Length': String(form.contentLength) },
			openBody: async () => form.body(),
			// Uploads are free and make nothing a render could be billed for.
			retry: 'idempotent',
		}),
	);
	const url = firstUrl(answer.url, answer.file_url, asObject(answer.data).url, answer.output);
	if (!url)
		throw malformedAnswer('muapi', 'Muapi did not return a URL for the upload.', answer, false);
	return {
		provider: 'muapi',
		ref: { kind: 'uri' as const, type: file.mediaType, uri: url },
		url,
		expiresAt: null,
		raw: answer,
	};
}

export const muapiAdapter: ProviderAdapter = {
	id: 'muapi',
	displayName: NAME,
	summary: 'Act-Two by the request, priced in US dollars; files are uploaded to Muapi',
	credentialType: 'muapiApi',
	capabilities: {
		models: ['act_two'],
		cancel: false,
		callbacks: ['act_two'],
		callbackRequired: [],
		uploads: true,
		urlInputs: 'direct',
		// An upload gives a URL: that URL is the Asset ID, sent as the input's URL.
		assetIds: 'uri',
		defaultConcurrency: 3,
	},
	limits: {
		// Muapi takes no seed (options below); the range is never shown or used.
		seed: { min: 0, max: 4294967295 },
		upload: { maxBytes: MUAPI_UPLOAD.videoMaxBytes, mimeTypes: MUAPI_UPLOAD.mimeTypes },
		assetId: {
			pattern: /^https?:\/\/\S+$/i,
			rule: 'the URL the Upload operation returned (an http(s) URL)',
		},
	},
	// Only the aspect ratio is tunable on Muapi: no body control, expression intensity or seed.
	options: { act_two: ['ratio'] },
	errors: muapiErrors,

	async create(client: ApiClient, input: CreateInput) {
		const { url, body } = createRequest(input);
		const res = asObject(
			await muapiRequest(client, {
				method: 'POST',
				url,
				qs: input.callbackUrl ? { webhook: input.callbackUrl } : undefined,
				body,
				retry: 'create',
			}),
		);
		const id = asString(res.request_id) ?? asString(res.id);
		if (!id) throw createWithoutId('muapi', res, NAME);
		// Its "processing" only says the request was taken: a new prediction is queued like any other.
		return makeTask('muapi', 'act_two', id, 'queued', res, { cost: muapiCost(res, 'queued') });
	},

	async get(client, taskId) {
		const read = await settle(
			muapiRequest(client, {
				method: 'GET',
				url: `/predictions/${encodeURIComponent(taskId)}/result`,
				retry: 'idempotent',
			}),
		);
		if (read.ok) return taskAskedFor(parsePrediction(read.value), taskId, false, NAME);
		const error = read.error;
		// HTTP 400 on the result is a failed prediction (Muapi's own clients read it so), not a failed request.
		if (error instanceof ProviderError && error.httpCode === 400) {
			// The transport's "HTTP 400" is no reason: the failure then reads as one without a reason.
			const text = /^HTTP \d+$/.test(error.message) ? null : error.message;
			const task = parsePrediction(error.responseBody, true, text);
			return taskAskedFor(task, taskId, true, NAME);
		}
		throw error;
	},

	upload: uploadFile,

	parseCallback(body) {
		const b = asObject(body);
		// The webhook payload names its prediction as `id` and states a documented status (B.6).
		if (!asString(b.id) || !isMuapiStatus(b.status)) return null;
		return parsePrediction(b);
	},
};
