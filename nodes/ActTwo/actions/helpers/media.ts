import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { MediaRef, MediaType, ProviderAdapter, UploadInput } from '../../core/types';
import type { ProviderContext } from './context';
import { providerNames } from '../../providers';
import { fetchMedia } from '../../transport/media-fetch';
import { mp4DurationFromStream, mp4DurationSeconds } from '../../core/mp4';
import { drivingDurationProblem } from './validation';

export type MediaSource = 'url' | 'binary' | 'asset';
export type MediaRole = 'character' | 'driving';

export interface MediaParams {
	role: MediaRole;
	label: string;
	source: MediaSource;
	type: MediaType;
	url: string;
	binaryProperty: string;
	assetId: string;
}

const LABEL: Record<MediaRole, string> = { character: 'Character', driving: 'Driving Video' };

export function readMediaParams(ctx: IExecuteFunctions, i: number, role: MediaRole): MediaParams {
	const source = ctx.getNodeParameter(`${role}Source`, i) as MediaSource;
	const type =
		role === 'driving' ? 'video' : (ctx.getNodeParameter('characterType', i, 'image') as MediaType);
	return {
		role,
		label: LABEL[role],
		source,
		type,
		url: source === 'url' ? String(ctx.getNodeParameter(`${role}Url`, i, '')).trim() : '',
		binaryProperty:
			source === 'binary'
				? String(ctx.getNodeParameter(`${role}BinaryProperty`, i, 'data')).trim()
				: '',
		assetId: source === 'asset' ? String(ctx.getNodeParameter(`${role}AssetId`, i, '')).trim() : '',
	};
}

const mediaTypeOf = (mime: string): MediaType | null =>
	mime.startsWith('image/') ? 'image' : mime.startsWith('video/') ? 'video' : null;

/** Loads a binary input and checks what can be checked before any credit is spent. */
export async function loadBinary(
	ctx: IExecuteFunctions,
	i: number,
	p: MediaParams,
	adapter: ProviderAdapter,
): Promise<UploadInput> {
	const fail = (message: string, description?: string) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
	if (!adapter.capabilities.uploads) {
		throw fail(
			`${adapter.displayName} takes ${p.label.toLowerCase()} inputs as public URLs only`,
			`Set ${p.label} Source to "URL" and pass a public HTTPS link (for example from S3 or Google Drive), or use ${providerNames((a) => a.capabilities.uploads)}, which accept files.`,
		);
	}
	const meta = ctx.helpers.assertBinaryData(i, p.binaryProperty);
	const mimeType = (meta.mimeType || '').toLowerCase();
	const mediaType = mediaTypeOf(mimeType);
	if (!mediaType)
		throw fail(
			`${p.label} must be an image or a video file; the binary "${p.binaryProperty}" is ${mimeType || 'of unknown type'}`,
		);
	if (p.role === 'driving' && mediaType !== 'video')
		throw fail(`Driving Video must be a video; the binary "${p.binaryProperty}" is ${mimeType}`);
	const limits = adapter.limits.upload;
	if (limits?.mimeTypes && !limits.mimeTypes.includes(mimeType)) {
		throw fail(
			`${p.label}: ${adapter.displayName} does not accept ${mimeType}`,
			`Allowed types: ${limits.mimeTypes.join(', ')}.`,
		);
	}
	const file = await binaryFile(ctx, i, p.binaryProperty, meta.id);
	if (limits?.maxBytes !== undefined && file.size > limits.maxBytes) {
		throw fail(
			`${p.label} is ${mb(file.size)}; ${adapter.displayName} accepts files up to ${mb(limits.maxBytes)}`,
		);
	}
	let durationSeconds: number | null = null;
	if (p.role === 'driving') {
		const body = await file.open();
		durationSeconds = Buffer.isBuffer(body)
			? mp4DurationSeconds(body)
			: await mp4DurationFromStream(body);
		const problem = drivingDurationProblem(durationSeconds);
		if (problem) throw fail(problem);
	}
	const fileName =
		meta.fileName || `${p.role}.${meta.fileExtension || (mediaType === 'image' ? 'png' : 'mp4')}`;
	return { ...file, fileName, mimeType, mediaType, durationSeconds };
}

/**
 * A binary input's bytes. n8n 2.x keeps binary data on disk, in its database or in S3 (then it has an id):
 * such files are streamed, so a batch of long videos is never held in memory at once.
 */
async function binaryFile(
	ctx: IExecuteFunctions,
	i: number,
	property: string,
	id: string | undefined,
): Promise<Pick<UploadInput, 'size' | 'read' | 'open'>> {
	if (!id) return inMemory(await ctx.helpers.getBinaryDataBuffer(i, property));
	const { fileSize } = await ctx.helpers.getBinaryMetadata(id);
	return {
		size: fileSize,
		read: async () => await ctx.helpers.getBinaryDataBuffer(i, property),
		open: async () => await ctx.helpers.getBinaryStream(id),
	};
}

const inMemory = (data: Buffer): Pick<UploadInput, 'size' | 'read' | 'open'> => ({
	size: data.length,
	read: async () => data,
	open: async () => data,
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Checks a non-binary media input's shape for the provider. */
export function checkMediaParams(
	ctx: IExecuteFunctions,
	i: number,
	p: MediaParams,
	adapter: ProviderAdapter,
): void {
	const fail = (message: string) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex: i });
	if (p.source === 'url' && !/^https?:\/\/\S+$/i.test(p.url))
		throw fail(`${p.label} URL must be an http(s) URL; got "${p.url.slice(0, 100)}"`);
	if (p.source === 'asset') {
		if (!p.assetId) throw fail(`${p.label} Asset ID is empty`);
		if (adapter.capabilities.assetIds === 'none')
			throw fail(
				`${adapter.displayName} has no assets: give the ${p.label.toLowerCase()} as a URL`,
			);
		const rule = adapter.limits.assetId;
		if (rule && !rule.pattern.test(p.assetId)) {
			throw fail(`${p.label} Asset ID for ${adapter.displayName} must be ${rule.rule}`);
		}
	}
}

/**
 * Turns a media input into something the provider can reference, uploading files where it needs them.
 * A binary input comes as the file loadBinary checked.
 */
export async function resolveMedia(
	ctx: IExecuteFunctions,
	p: MediaParams,
	{ adapter, client, signal }: ProviderContext,
	file?: UploadInput,
): Promise<MediaRef> {
	if (p.source === 'asset') {
		return adapter.capabilities.assetIds === 'uri'
			? { kind: 'uri', type: p.type, uri: p.assetId }
			: { kind: 'asset', type: p.type, assetId: p.assetId };
	}
	if (p.source === 'url') {
		if (adapter.capabilities.urlInputs === 'direct')
			return { kind: 'uri', type: p.type, uri: p.url };
		// The provider generates only from its own assets: fetch the URL and upload it.
		const fetched = await fetchMedia(ctx, p.url, {
			provider: adapter.id,
			type: p.type,
			label: p.label,
			maxBytes: adapter.limits.upload?.maxBytes,
			signal,
		});
		return (await upload(adapter, p)(client, fetched)).ref;
	}
	if (!file) throw new Error(`${p.label}: the binary input was not loaded before the create.`);
	return (await upload(adapter, p)(client, file)).ref;
}

function upload(adapter: ProviderAdapter, p: MediaParams): NonNullable<ProviderAdapter['upload']> {
	if (!adapter.upload) throw new Error(`${p.label}: ${adapter.displayName} takes no uploads.`);
	return adapter.upload;
}
