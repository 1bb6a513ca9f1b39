/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { Ctx } from './http';

const ROOT = join(__dirname, '..', '..');
export const ASSET_DIRS = [join(ROOT, 'examples', 'assets'), join(ROOT, 'test', 'fixtures')];
export const OUTPUT_MP4 = join(ROOT, 'examples', 'assets', 'output.mp4');
export const POSTER_PNG = join(ROOT, 'examples', 'assets', 'character.png');

const cache = new Map<string, Buffer>();
export function readCached(path: string): Buffer {
	let b = cache.get(path);
	if (!b) {
		b = readFileSync(path);
		cache.set(path, b);
	}
	return b;
}

export function contentTypeFor(name: string): string {
	const ext = name.toLowerCase().split('.').pop() ?? '';
	const types: Record<string, string> = {
		mp4: 'video/mp4',
		mov: 'video/quicktime',
		png: 'image/png',
		jpg: 'image/jpeg',
		jpeg: 'image/jpeg',
		webp: 'image/webp',
		gif: 'image/gif',
		webm: 'video/webm',
	};
	return types[ext] ?? 'application/octet-stream';
}

/** A static input file for loopback URLs, or null. */
export function findStatic(name: string): string | null {
	const clean = basename(name);
	for (const dir of ASSET_DIRS) {
		const p = join(dir, clean);
		if (existsSync(p)) return p;
	}
	return null;
}

/** Serves bytes with GET/HEAD, Content-Length, Content-Type, Accept-Ranges and single byte ranges. */
export function serveBytes(ctx: Ctx, data: Buffer, contentType: string): void {
	const head = ctx.method === 'HEAD';
	const base = {
		'content-type': contentType,
		'accept-ranges': 'bytes',
		'cache-control': 'private, max-age=3600',
	};
	const range = ctx.header('range');
	if (range) {
		const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
		if (m && (m[1] || m[2])) {
			let start: number;
			let end: number;
			if (!m[1]) {
				start = Math.max(0, data.length - Number(m[2]));
				end = data.length - 1;
			} else {
				start = Number(m[1]);
				end = m[2] ? Math.min(Number(m[2]), data.length - 1) : data.length - 1;
			}
			if (start >= data.length || start > end) {
				ctx.sendRaw(416, '', { 'content-range': 'bytes */' + data.length });
				return;
			}
			ctx.sendRaw(
				206,
				data.subarray(start, end + 1),
				{ ...base, 'content-range': 'bytes ' + start + '-' + end + '/' + data.length },
				head,
			);
			return;
		}
	}
	ctx.sendRaw(200, data, base, head);
}
