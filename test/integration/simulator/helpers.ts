/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { SimProvider, Simulator } from '../../simulator';

export const ROOT = join(__dirname, '..', '..', '..');
export const DRIVING = readFileSync(join(ROOT, 'examples', 'assets', 'driving.mp4'));
export const CHARACTER = readFileSync(join(ROOT, 'examples', 'assets', 'character.png'));
export const OUTPUT = readFileSync(join(ROOT, 'examples', 'assets', 'output.mp4'));
export const TOO_SHORT = readFileSync(join(ROOT, 'test', 'fixtures', 'too-short.mp4'));
export const MOV = readFileSync(join(ROOT, 'test', 'fixtures', 'reference.mov'));

export const FAST = { queuedMs: 100, throttledMs: 0, runningMs: 300, progressSteps: 3 };

export const dataUri = (mime: string, buf: Buffer): string =>
	'data:' + mime + ';base64,' + buf.toString('base64');

type FetchBody = NonNullable<NonNullable<Parameters<typeof fetch>[1]>['body']>;

export interface Res {
	status: number;
	headers: Headers;
	text: string;
	json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(
	url: string,
	init: {
		method?: string;
		body?: unknown;
		headers?: Record<string, string>;
		raw?: Buffer | string;
	} = {},
): Promise<Res> {
	const headers: Record<string, string> = { ...(init.headers ?? {}) };
	let body: FetchBody | undefined;
	if (init.raw !== undefined) body = init.raw as FetchBody;
	else if (init.body !== undefined) {
		body = JSON.stringify(init.body);
		headers['content-type'] ??= 'application/json';
	}
	const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
	const text = await res.text();
	let json: unknown = undefined;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** A request to a provider with its valid credentials (and Runway's version header where it applies). */
export function provider(sim: Simulator, p: SimProvider) {
	const auth: Record<string, string> = { authorization: 'Bearer ' + sim.keys[p] };
	if (p === 'runway' || p === 'comet') auth['x-runway-version'] = '2024-11-06';
	return (path: string, init: Parameters<typeof call>[1] = {}) =>
		call(sim.baseUrls[p] + path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
	fn: () => Promise<T | undefined> | T | undefined,
	timeoutMs = 5000,
	everyMs = 50,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== null && (v as unknown) !== false) return v as T;
		if (Date.now() > end) throw new Error('waitFor timed out');
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

export interface Received {
	headers: IncomingHttpHeaders;
	body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
	raw: string;
	answered: number;
}

export type Answer = (i: number, body: any) => number; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A local callback receiver; statuses[i] (or statuses(i, body)) is what it answers to the i-th request (default 200). */
export async function receiver(
	statuses: number[] | Answer = [],
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
	const received: Received[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body: unknown;
			try {
				body = JSON.parse(raw);
			} catch {
				body = raw;
			}
			const answered =
				typeof statuses === 'function'
					? statuses(received.length, body)
					: (statuses[received.length] ?? 200);
			received.push({ headers: req.headers, body, raw, answered });
			res.writeHead(answered, { 'content-type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as AddressInfo).port;
	return {
		url: 'http://127.0.0.1:' + port + '/hook',
		received,
		close: () =>
			new Promise<void>((r) => {
				server.close(() => r());
				server.closeAllConnections();
			}),
	};
}

/** True when the bytes start with an ISO-BMFF ftyp box. */
export const startsWithFtyp = (b: Buffer): boolean =>
	b.length > 8 && b.toString('latin1', 4, 8) === 'ftyp';

export async function download(
	url: string,
	headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
	const res = await fetch(url, { headers });
	return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
