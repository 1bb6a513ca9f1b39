/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { isIP } from 'node:net';

import { parseMp4 } from './mp4';
import type { SimState } from './state';

export type MediaKind = 'image' | 'video';

export const MB = 1024 * 1024;
/**
 * Runway's data URIs: "up to 5MB" for images and videos alike (SDK 4.17.1). Counted on the URI as sent, in
 * decimal megabytes: the stricter reading, since the real API's rule is UNCONFIRMED (providers.md 1).
 */
export const DATA_URI_MAX_CHARS = 5_000_000;
/** Runway's documented caps for URLs: 16 MB image / 32 MB video. */
export const URL_CAP: Record<MediaKind, number> = { image: 16 * MB, video: 32 * MB };

export type ResolvedMedia =
	| {
			ok: true;
			form: 'https' | 'http-loopback' | 'data' | 'runway';
			data: Buffer | null;
			contentType: string | null;
	  }
	| { ok: false; message: string };

export interface UriRules {
	data: boolean;
	runway: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHttp(u: URL): boolean {
	return u.protocol === 'http:' && (LOOPBACK.has(u.hostname) || /^127\./.test(u.hostname));
}

function family(contentType: string | null): MediaKind | null {
	if (!contentType) return null;
	if (/^image\//i.test(contentType)) return 'image';
	if (/^video\//i.test(contentType)) return 'video';
	return null;
}

/** The 5 MB rule for a data URI, checked on its text before anything is decoded. */
function dataUriTooLong(uri: string, kind: MediaKind): string | null {
	if (uri.length <= DATA_URI_MAX_CHARS) return null;
	return (
		'Data URI ' +
		kind +
		' is ' +
		(uri.length / 1e6).toFixed(1) +
		' MB; data URIs are limited to 5 MB. Upload larger files with /v1/uploads'
	);
}

/**
 * Checks one input URI the way the provider would accept it. https URLs cannot be fetched from here and
 * are accepted as they are; loopback http URLs (a documented deviation, for local use) are fetched like
 * Runway fetches a URL: no redirects, a 2xx, a real media Content-Type, within the size cap.
 */
export async function resolveUri(
	sim: SimState,
	uri: unknown,
	kind: MediaKind,
	rules: UriRules,
): Promise<ResolvedMedia> {
	if (typeof uri !== 'string' || uri.length === 0)
		return { ok: false, message: 'uri must be a non-empty string' };
	if (uri.startsWith('data:')) {
		if (!rules.data)
			return { ok: false, message: 'Data URIs are not supported; use a public HTTPS URL' };
		const m = /^data:([^;,]+)((?:;[^;,]+)*),(.*)$/s.exec(uri);
		if (!m || !/;base64/i.test(m[2]))
			return { ok: false, message: 'Data URI must be base64 encoded with a content type' };
		const contentType = m[1].toLowerCase();
		const fam = family(contentType);
		if (fam !== kind)
			return {
				ok: false,
				message: 'Data URI content type ' + contentType + ' is not a valid ' + kind + ' type',
			};
		const tooLong = dataUriTooLong(uri, kind);
		if (tooLong) return { ok: false, message: tooLong };
		const data = Buffer.from(m[3], 'base64');
		return { ok: true, form: 'data', data, contentType };
	}
	if (uri.startsWith('runway://')) {
		if (!rules.runway) return { ok: false, message: 'runway:// URIs are not supported here' };
		const upload = [...sim.runwayUploads.values()].find((u) => u.runwayUri === uri);
		if (!upload || !upload.file)
			return {
				ok: false,
				message: 'Invalid runway URI: the upload does not exist or was not completed',
			};
		if (Date.now() - upload.createdAt > 24 * 3600 * 1000)
			return { ok: false, message: 'The runway URI has expired' };
		const fam = family(upload.file.contentType);
		if (fam && fam !== kind)
			return { ok: false, message: 'The uploaded file is not a valid ' + kind };
		return {
			ok: true,
			form: 'runway',
			data: upload.file.data,
			contentType: upload.file.contentType,
		};
	}
	let u: URL;
	try {
		u = new URL(uri);
	} catch {
		return { ok: false, message: 'Invalid URI: ' + uri.slice(0, 80) };
	}
	if (uri.length > 2048) return { ok: false, message: 'URL must be at most 2048 characters' };
	if (u.protocol === 'https:') {
		if (isIP(u.hostname.replace(/^\[|\]$/g, '')))
			return { ok: false, message: 'URL must use a domain name, not an IP address' };
		return { ok: true, form: 'https', data: null, contentType: null };
	}
	if (!isLoopbackHttp(u)) return { ok: false, message: 'URL must use HTTPS' };
	try {
		const res = await fetch(uri, {
			redirect: 'manual',
			headers: { 'user-agent': 'RunwayML API/simulator' },
		});
		if (res.status >= 300 && res.status < 400)
			return { ok: false, message: 'Failed to fetch asset: redirects are not followed' };
		if (!res.ok) return { ok: false, message: 'Failed to fetch asset: HTTP ' + res.status };
		const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
		if (
			!contentType ||
			contentType === 'application/octet-stream' ||
			family(contentType) !== kind
		) {
			await res.arrayBuffer().catch(() => undefined);
			return {
				ok: false,
				message:
					'Failed to fetch asset: invalid Content-Type ' +
					(contentType || '(none)') +
					' for ' +
					kind,
			};
		}
		const data = Buffer.from(await res.arrayBuffer());
		if (data.length > URL_CAP[kind])
			return { ok: false, message: 'Asset exceeds the ' + URL_CAP[kind] / MB + ' MB limit' };
		return { ok: true, form: 'http-loopback', data, contentType };
	} catch (error) {
		return {
			ok: false,
			message: 'Failed to fetch asset: ' + ((error as Error).message || 'connection error'),
		};
	}
}

/**
 * Act-Two's reference must last 3-30 s. Checked where the bytes are known and are an MP4/MOV.
 * Returns an error message or null.
 */
export function checkReferenceDuration(
	data: Buffer | null,
	contentType: string | null,
): string | null {
	if (!data) return null;
	const info = parseMp4(data);
	if (!info) {
		if (contentType && /^video\/(mp4|quicktime)$/i.test(contentType))
			return 'Unable to read the reference video (invalid MP4/MOV)';
		return null;
	}
	return durationError(info.durationSeconds);
}

export function durationError(seconds: number): string | null {
	if (seconds < 3 || seconds > 30) {
		return (
			'The reference video must be between 3 and 30 seconds long (got ' + seconds.toFixed(2) + ' s)'
		);
	}
	return null;
}
