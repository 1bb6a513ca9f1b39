import { randomString } from 'n8n-workflow';

import type { BinaryStream } from './types';

/** One file part of a multipart/form-data body: its size known in advance, its bytes opened per attempt. */
export interface MultipartFile {
	fieldName: string;
	fileName: string;
	contentType: string;
	size: number;
	open(): Promise<Buffer | BinaryStream>;
}

/**
 * A request body shaped like a Blob (size, type, stream()): n8n's HTTP client (axios) sends a Blob with its
 * size as the Content-Length and reads it chunk by chunk through `stream()`, so the body is never whole in memory.
 */
export interface StreamedBody {
	readonly size: number;
	readonly type: string;
	stream(): AsyncIterable<Buffer>;
	readonly [Symbol.toStringTag]: 'Blob';
}

/** Whether a request body is a Blob or a StreamedBody (sent as is, chunk by chunk). */
export const isBlobLike = (body: unknown): body is { size: number; type: string } =>
	Object.prototype.toString.call(body) === '[object Blob]';

/** A header parameter value as browsers write it in multipart/form-data (WHATWG: " CR LF escaped). */
const quoted = (value: string) =>
	`"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;

const CRLF = '\r\n';

/**
 * A multipart/form-data body written without a form library: every field, then the file's part header, the
 * file's bytes as they are read, and the closing boundary. The boundary is chosen once, so every attempt built
 * from the same `multipartBody` sends the same bytes; the file is opened only when a body is read, anew for
 * each `body()`. A file that does not yield exactly `size` bytes fails the request (its Content-Length would
 * lie).
 */
export function multipartBody(fields: Record<string, string>, file: MultipartFile) {
	const boundary = `----ActTwoFormBoundary${randomString(24)}`;
	const head = Buffer.from(
		Object.entries(fields)
			.map(
				([name, value]) =>
					`--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(name)}${CRLF}${CRLF}${value}${CRLF}`,
			)
			.join('') +
			`--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(file.fieldName)}; ` +
			`filename=${quoted(file.fileName)}${CRLF}Content-Type: ${file.contentType}${CRLF}${CRLF}`,
		'utf8',
	);
	const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1');
	const contentType = `multipart/form-data; boundary=${boundary}`;
	const size = head.length + file.size + tail.length;

	async function* chunks(): AsyncGenerator<Buffer> {
		yield head;
		const source = await file.open();
		let sent = 0;
		if (Buffer.isBuffer(source)) {
			sent = source.length;
			if (sent === file.size) yield source;
		} else {
			try {
				for await (const chunk of source as AsyncIterable<Buffer>) {
					sent += chunk.length;
					if (sent > file.size) break;
					yield chunk;
				}
			} finally {
				source.destroy?.();
			}
		}
		if (sent !== file.size)
			throw new Error(
				`The file ${file.fileName} gave ${sent > file.size ? 'more than ' : ''}${sent} bytes, not the ${file.size} announced`,
			);
		yield tail;
	}

	return {
		contentType,
		contentLength: size,
		/** A fresh body for one attempt. */
		body: (): StreamedBody => ({
			size,
			type: contentType,
			stream: chunks,
			[Symbol.toStringTag]: 'Blob',
		}),
	};
}
