import type { IDataObject } from 'n8n-workflow';

import { classifyHttp, ProviderError } from '../core/errors';
import { settle } from '../core/settle';
import type { BinaryStream, MediaType, ProviderId, UploadInput } from '../core/types';
import type { HttpContext } from './http';
import { withRetry } from './retry';

/** The most a URL input may weigh when the node fetches it for a provider; Runway's own upload limit. */
export const MEDIA_FETCH_MAX_BYTES = 200 * 1024 * 1024;

export interface MediaFetchOptions {
	provider: ProviderId;
	type: MediaType;
	label: string;
	maxBytes?: number;
	signal?: AbortSignal;
}

type Fetched = Pick<UploadInput, 'size' | 'read' | 'open' | 'fileName' | 'mimeType' | 'mediaType'>;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A URL input for a provider that takes only its own assets, read through n8n's helpers: retried like a
 * read, cancelled with the execution, streamed when the host states a length (opened anew for each upload
 * attempt), and refused past `maxBytes` before it is held anywhere.
 */
export async function fetchMedia(
	ctx: HttpContext,
	url: string,
	options: MediaFetchOptions,
): Promise<Fetched> {
	const maxBytes = options.maxBytes ?? MEDIA_FETCH_MAX_BYTES;
	const fail = (message: string, code: string, retryable = false, category = 'invalid_input') =>
		new ProviderError(
			options.provider,
			{ code, message, category: category as 'invalid_input', retryable },
			null,
			null,
		);
	const get = async () =>
		await withRetry(
			async () => {
				const sent = await settle(
					ctx.helpers.httpRequest({
						url,
						method: 'GET',
						encoding: 'stream',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						// A stated length must be the length sent on: no transparent decompression.
						headers: { 'Accept-Encoding': 'identity' },
						timeout: 300_000,
						abortSignal: options.signal,
					}),
				);
				if (!sent.ok) {
					if (options.signal?.aborted) throw sent.error;
					throw fail(
						`Could not fetch the ${options.label} URL: ${sent.error.message}`,
						'connection',
						true,
						'provider',
					);
				}
				const response = sent.value as {
					statusCode: number;
					headers: IDataObject;
					body: BinaryStream;
				};
				if (response.statusCode >= 400) {
					response.body.destroy?.();
					const detail = classifyHttp(
						response.statusCode,
						`The ${options.label} URL answered HTTP ${response.statusCode}`,
					);
					throw new ProviderError(options.provider, detail, response.statusCode, null);
				}
				return response;
			},
			{ policy: 'idempotent', signal: options.signal },
		);

	const first = await get();
	const mimeType = String(
		first.headers['content-type'] ?? (options.type === 'image' ? 'image/png' : 'video/mp4'),
	)
		.split(';')[0]
		.trim()
		.toLowerCase();
	const fileName = decodeName(url, options.label);
	const length = Number(first.headers['content-length']);
	const tooLarge = (size: string) =>
		fail(
			`The ${options.label} URL points to ${size}; at most ${mb(maxBytes)} is fetched for upload`,
			'too_large',
		);
	if (Number.isSafeInteger(length) && length > 0) {
		if (length > maxBytes) {
			first.body.destroy?.();
			throw tooLarge(mb(length));
		}
		let unread: BinaryStream | undefined = first.body;
		const open = async (): Promise<BinaryStream> => {
			const body = unread ?? (await get()).body;
			unread = undefined;
			return body;
		};
		return {
			size: length,
			open,
			read: async () => await readCapped(await open(), maxBytes, tooLarge),
			fileName,
			mimeType,
			mediaType: options.type,
		};
	}
	const data = await readCapped(first.body, maxBytes, tooLarge);
	return {
		size: data.length,
		open: async () => data,
		read: async () => data,
		fileName,
		mimeType,
		mediaType: options.type,
	};
}

async function readCapped(
	stream: BinaryStream,
	maxBytes: number,
	tooLarge: (size: string) => Error,
): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		total += chunk.length;
		if (total > maxBytes) {
			stream.destroy?.();
			throw tooLarge(`more than ${mb(maxBytes)}`);
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

function decodeName(url: string, fallback: string): string {
	const last = url.split('?')[0].split('/').pop() ?? '';
	try {
		return decodeURIComponent(last) || fallback;
	} catch {
		return last || fallback;
	}
}
