/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { SimState } from './state';
import type { FaultRule, RecordedRequest, AnySimProvider } from './types';

/** One request as the route handlers see it. */
export class Ctx {
	/** The path after the provider prefix, raw (percent-encoding kept). */
	relPath = '';
	provider: AnySimProvider | null = null;
	/** A fault that lets the handler run and then breaks the response (drop/malformed_json 'after'). */
	afterFault: FaultRule | null = null;
	answered = false;

	constructor(
		readonly req: IncomingMessage,
		readonly res: ServerResponse,
		readonly sim: SimState,
		readonly url: URL,
		readonly body: Buffer,
		readonly record: RecordedRequest,
	) {}

	get method(): string {
		return (this.req.method ?? 'GET').toUpperCase();
	}

	get query(): URLSearchParams {
		return this.url.searchParams;
	}

	header(name: string): string | undefined {
		const v = this.req.headers[name.toLowerCase()];
		return Array.isArray(v) ? v[0] : v;
	}

	/** The Bearer token, or the raw Authorization value when it has no scheme. */
	bearer(): string | null {
		const auth = this.header('authorization');
		if (!auth) return null;
		const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
		return m ? m[1].trim() : null;
	}

	/** Parsed JSON body: undefined when empty, an Error when unparseable. */
	json(): unknown {
		if (this.body.length === 0) return undefined;
		try {
			return JSON.parse(this.body.toString('utf8'));
		} catch (error) {
			return error instanceof Error ? error : new Error(String(error));
		}
	}

	send(status: number, body?: unknown, headers: Record<string, string> = {}): void {
		if (body === undefined) {
			this.sendRaw(status, Buffer.alloc(0), headers);
			return;
		}
		this.sendRaw(status, Buffer.from(JSON.stringify(body)), {
			'content-type': 'application/json; charset=utf-8',
			...headers,
		});
	}

	sendRaw(
		status: number,
		data: Buffer | string,
		headers: Record<string, string> = {},
		headOnly = false,
	): void {
		if (this.answered) return;
		this.answered = true;
		const buf = typeof data === 'string' ? Buffer.from(data) : data;
		if (this.afterFault?.kind === 'drop') {
			this.record.status = null;
			this.req.socket.destroy();
			return;
		}
		let out = buf;
		if (this.afterFault?.kind === 'malformed_json') {
			out = malformed(buf);
			headers = { ...headers, 'content-type': 'application/json; charset=utf-8' };
			status = status === 204 ? 200 : status;
		}
		this.record.status = status;
		this.res.writeHead(status, { 'content-length': String(out.length), ...headers });
		this.res.end(headOnly ? undefined : out);
	}
}

/** A JSON-looking body cut in the middle (or a broken object when there was nothing to cut). */
export function malformed(buf: Buffer): Buffer {
	const text = buf.toString('utf8');
	if (text.length < 4) return Buffer.from('{"status": ');
	return Buffer.from(text.slice(0, Math.max(2, Math.floor(text.length / 2))));
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > limit) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export type Handler = (ctx: Ctx, match: RegExpExecArray) => Promise<void> | void;

export interface Route {
	method: string;
	pattern: RegExp;
	handler: Handler;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
