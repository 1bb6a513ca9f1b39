import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { RUNWAY_UPLOAD_LIMIT } from '../providers/runway';
import type { MediaRef, MediaType, ProviderAdapter, UploadInput } from '../providers/types';
import { USEAPI_UPLOAD_TYPES } from '../providers/useapi';
import type { ProviderContext } from './context';
import { mp4DurationFromStream, mp4DurationSeconds } from './mp4';
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
	if (adapter.capabilities.upload === 'none') {
		throw fail(
			`${adapter.displayName} takes ${p.label.toLowerCase()} inputs as public URLs only`,
			`Set ${p.label} Source to "URL" and pass a public HTTPS link (for example from S3 or Google Drive), or use Runway or useapi.net, which accept files.`,
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
	if (
		adapter.capabilities.upload === 'useapi' &&
		!USEAPI_UPLOAD_TYPES.map((t) => t.toLowerCase()).includes(mimeType)
	) {
		throw fail(
			`${p.label}: useapi.net does not accept ${mimeType}`,
			`Allowed types: ${USEAPI_UPLOAD_TYPES.join(', ')}.`,
		);
	}
	const file = await binaryFile(ctx, i, p.binaryProperty, meta.id);
	if (adapter.capabilities.upload === 'runway') {
		if (file.size > RUNWAY_UPLOAD_LIMIT.max)
			throw fail(
				`${p.label} is ${mb(file.size)}; Runway accepts files up to ${mb(RUNWAY_UPLOAD_LIMIT.max)}`,
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
		if (adapter.capabilities.upload === 'none')
			throw fail(
				`${adapter.displayName} has no assets: give the ${p.label.toLowerCase()} as a URL`,
			);
		if (adapter.id === 'runway' && !/^(runway:|data:|https:)/.test(p.assetId)) {
			throw fail(
				`${p.label} Asset ID for Runway must be a runway:// URI from the Upload operation`,
			);
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
	{ adapter, client }: ProviderContext,
	file?: UploadInput,
): Promise<MediaRef> {
	if (p.source === 'asset') {
		return adapter.id === 'runway'
			? { kind: 'uri', type: p.type, uri: p.assetId }
			: { kind: 'asset', type: p.type, assetId: p.assetId };
	}
	if (p.source === 'url') {
		if (adapter.capabilities.upload !== 'useapi') return { kind: 'uri', type: p.type, uri: p.url };
		// useapi.net generates only from its own assets: fetch the URL and upload it.
		const data = (await ctx.helpers.httpRequest({
			url: p.url,
			encoding: 'arraybuffer',
			returnFullResponse: true,
		})) as {
			body: Buffer;
			headers: Record<string, string>;
		};
		const mimeType = String(
			data.headers['content-type'] ?? (p.type === 'image' ? 'image/png' : 'video/mp4'),
		).split(';')[0];
		const fileName = decodeURIComponent(p.url.split('?')[0].split('/').pop() || p.role);
		return (
			await adapter.upload(client, {
				...inMemory(Buffer.from(data.body)),
				fileName,
				mimeType,
				mediaType: p.type,
			})
		).ref;
	}
	if (!file) throw new Error(`${p.label}: the binary input was not loaded before the create.`);
	return (await adapter.upload(client, file)).ref;
}
