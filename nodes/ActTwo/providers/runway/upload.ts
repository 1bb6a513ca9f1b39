import { multipartBody } from '../../core/multipart';
import { malformedAnswer } from '../common/malformed';
import { asObject, asString } from '../common/task';
import type { ApiClient, UploadInput, UploadResult } from '../../core/types';

/**
 * A data URI may be at most 5 MB as sent, for images and videos alike (SDK 4.17.1, providers.md 1): counted
 * on the whole URI text, in decimal megabytes, the stricter reading of Runway's "up to 5MB".
 */
export const RUNWAY_DATA_URI_MAX_CHARS = 5_000_000;
/** /v1/uploads accepts 512 bytes to 200 MB (providers.md 1.5). */
export const RUNWAY_UPLOAD_LIMIT = { min: 512, max: 200 * 1024 * 1024 };

const dataUriPrefix = (mimeType: string) => `data:${mimeType};base64,`;

/** The length of the data URI of a file of `size` bytes: its prefix and the base64 text. */
export const dataUriLength = (mimeType: string, size: number) =>
	dataUriPrefix(mimeType).length + 4 * Math.ceil(size / 3);

/** Whether a file goes inline as a data URI (within the limit as sent) rather than through /v1/uploads. */
export const fitsDataUri = (file: Pick<UploadInput, 'mimeType' | 'size'>) =>
	dataUriLength(file.mimeType, file.size) <= RUNWAY_DATA_URI_MAX_CHARS;

export async function runwayUpload(client: ApiClient, file: UploadInput): Promise<UploadResult> {
	if (!file.forceUpload && fitsDataUri(file)) {
		const uri = dataUriPrefix(file.mimeType) + (await file.read()).toString('base64');
		return {
			provider: 'runway',
			ref: { kind: 'uri', type: file.mediaType, uri },
			url: null,
			expiresAt: null,
			raw: { kind: 'dataUri', bytes: file.size, chars: uri.length },
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
	const fields: Record<string, string> = {};
	for (const [key, value] of Object.entries(asObject(slot.fields))) {
		const text = typeof value === 'string' ? value : asString(value);
		if (text !== null) fields[key] = text;
	}
	// Presigned POST targets need the length up front; the file is streamed, read again for each attempt.
	const form = multipartBody(fields, {
		fieldName: 'file',
		fileName: file.fileName,
		contentType: file.mimeType,
		size: file.size,
		open: file.open,
	});
	await client.request({
		method: 'POST',
		url: uploadUrl,
		headers: { 'Content-Type': form.contentType, 'Content-Length': String(form.contentLength) },
		openBody: async () => form.body(),
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
