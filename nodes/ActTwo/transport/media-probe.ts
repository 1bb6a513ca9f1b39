import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { mp4DurationFromRanges } from '../core/mp4';
import type { UrlHead } from '../core/types';
import { settle } from '../core/settle';

/**
 * Looks at an input URL on its media host before anything is sent to the provider: a HEAD (for providers
 * with URL rules) and the driving video's duration from its MP4/MOV header, read by byte ranges. These
 * requests go out with n8n's plain httpRequest, never the authenticated one: the media host is not the
 * provider and must never see the API key. Each look is bounded in time and bytes; a host that is slow,
 * refuses or ignores ranges leaves the check undone (`skipped` says why), never the item failed.
 */

/** Time for one HEAD, and for a whole duration probe (all its range reads together). */
export const PROBE_TIMEOUT_MS = 5_000;
/** The most a duration probe reads: the file's head, then moov's header and mvhd wherever they sit. */
export const PROBE_MAX_BYTES = 1024 * 1024;
export const PROBE_MAX_READS = 8;

export type DurationProbe = { seconds: number } | { seconds: null; skipped: string };

type Stream = AsyncIterable<Buffer> & { destroy?: () => void };

class ProbeStop extends Error {}

const TOO_SLOW = `the host did not answer within ${PROBE_TIMEOUT_MS / 1000} s`;

/**
 * Time left before `deadline`, for a request's timeout. No timer of our own: a request waits at most this
 * long for its answer, and a body that trickles in is cut at the deadline as its chunks arrive.
 */
function timeLeft(deadline: number): number {
	const left = deadline - Date.now();
	if (left <= 0) throw new ProbeStop(TOO_SLOW);
	return left;
}

function reasonOf(error: Error, deadline: number, cancel?: AbortSignal): string {
	if (cancel?.aborted) throw error;
	if (error instanceof ProbeStop) return error.message;
	// The request's timeout ends a body that stops coming as "aborted", with no code.
	if (Date.now() >= deadline) return TOO_SLOW;
	const cause = (error as { cause?: unknown }).cause;
	const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | null)?.code;
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return TOO_SLOW;
	return `the host could not be reached (${typeof code === 'string' ? code : error.message})`;
}

/** The first `limit` bytes of a response stream; the rest is left unread and the connection closed. */
async function readAtMost(body: Stream, limit: number, deadline: number): Promise<Buffer> {
	const parts: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of body) {
			timeLeft(deadline);
			parts.push(chunk);
			size += chunk.length;
			if (size >= limit) break;
		}
	} finally {
		body.destroy?.();
	}
	return Buffer.concat(parts).subarray(0, limit);
}

/** The driving video's duration from its header, read with HTTP range requests; see the module comment. */
export async function probeVideoDuration(
	ctx: IExecuteFunctions,
	url: string,
	cancel?: AbortSignal,
): Promise<DurationProbe> {
	const deadline = Date.now() + PROBE_TIMEOUT_MS;
	let fileSize: number | null = null;
	let bytes = 0;
	let reads = 0;
	const read = async (start: number, length: number): Promise<Buffer> => {
		if (++reads > PROBE_MAX_READS)
			throw new ProbeStop(`its header needs over ${PROBE_MAX_READS} reads`);
		if (fileSize !== null) length = Math.min(length, fileSize - start);
		if (length <= 0) return Buffer.alloc(0);
		if (bytes + length > PROBE_MAX_BYTES)
			throw new ProbeStop(`its header sits beyond the first ${PROBE_MAX_BYTES / 1024} KiB read`);
		const response = (await ctx.helpers.httpRequest({
			url,
			method: 'GET',
			headers: { Range: `bytes=${start}-${start + length - 1}`, 'Accept-Encoding': 'identity' },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeLeft(deadline),
			abortSignal: cancel,
		})) as IN8nHttpFullResponse;
		const body = response.body as Stream;
		if (response.statusCode === 416) {
			body.destroy?.();
			return Buffer.alloc(0);
		}
		const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(
			String(response.headers['content-range'] ?? ''),
		);
		if (response.statusCode !== 206 || !range || Number(range[1]) !== start) {
			body.destroy?.();
			throw new ProbeStop(
				response.statusCode === 200 || response.statusCode === 206
					? 'the host ignores range requests'
					: `the host answered HTTP ${response.statusCode}`,
			);
		}
		if (range[2] !== '*') fileSize = Number(range[2]);
		const data = await readAtMost(body, length, deadline);
		bytes += data.length;
		return data;
	};
	const result = await settle(
		mp4DurationFromRanges(read, () => fileSize ?? Number.MAX_SAFE_INTEGER),
	);
	if (!result.ok) return { seconds: null, skipped: reasonOf(result.error, deadline, cancel) };
	if (result.value === null)
		return {
			seconds: null,
			skipped: 'its start is not an MP4/MOV header with a movie duration',
		};
	return { seconds: result.value };
}

export type HeadResult = { ok: true; head: UrlHead } | { ok: false; skipped: string };

/** HEAD on an input URL as a provider that follows no redirects sees it: a 3xx is the answer. */
export async function headUrl(
	ctx: IExecuteFunctions,
	url: string,
	cancel?: AbortSignal,
): Promise<HeadResult> {
	const deadline = Date.now() + PROBE_TIMEOUT_MS;
	const sent = await settle(
		ctx.helpers.httpRequest({
			url,
			method: 'HEAD',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: PROBE_TIMEOUT_MS,
			abortSignal: cancel,
		}) as Promise<IN8nHttpFullResponse>,
	);
	if (!sent.ok) return { ok: false, skipped: reasonOf(sent.error, deadline, cancel) };
	const headers = sent.value.headers;
	const type = headers['content-type'];
	const length = headers['content-length'];
	return {
		ok: true,
		head: {
			status: sent.value.statusCode,
			contentType:
				typeof type === 'string' && type.trim() ? type.split(';')[0].trim().toLowerCase() : null,
			contentLength:
				typeof length === 'string' && /^\d+$/.test(length.trim()) ? Number(length) : null,
		},
	};
}
