/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

import { faultFromJson, faultToJson } from './faults';
import {
	OUTPUT_MP4,
	POSTER_PNG,
	contentTypeFor,
	findStatic,
	readCached,
	serveBytes,
} from './files';
import { Ctx, type Route, malformed, readBody, sleep } from './http';
import { providerErrorBody } from './errors';
import { AIML_PREFIX, aimlErrorBody, aimlRoutes } from './providers/aiml';
import { handleMediaHost } from './media-hosts';
import { cometRoutes } from './providers/comet';
import { liangxinRoutes } from './providers/liangxin';
import { MUAPI_PREFIX, muapiErrorBody, muapiRoutes } from './providers/muapi';
import { runwayRoutes, storageUpload } from './providers/runway';
import { useapiRoutes } from './providers/useapi';
import type { SimState } from './state';
import type { FaultRule, RecordedRequest, SimOutcome, AnySimProvider } from './types';

/** Path prefix of each provider: its base URL maps onto the real host's root. */
export const PREFIXES: Record<AnySimProvider, string> = {
	runway: '/runway',
	useapi: '/useapi/v1/runwayml',
	comet: '/comet',
	liangxin: '/liangxin',
	aiml: AIML_PREFIX,
	muapi: MUAPI_PREFIX,
};

const ROUTES: Record<AnySimProvider, Route[]> = {
	runway: runwayRoutes,
	useapi: useapiRoutes,
	comet: cometRoutes,
	liangxin: liangxinRoutes,
	aiml: aimlRoutes,
	muapi: muapiRoutes,
};
const BODY_LIMIT = 260 * 1024 * 1024;
const SECRET_HEADERS = ['authorization', 'x-api-key', 'api-key', 'cookie', 'proxy-authorization'];

function providerOf(pathname: string): { provider: AnySimProvider; relPath: string } | null {
	for (const [provider, prefix] of Object.entries(PREFIXES) as Array<[AnySimProvider, string]>) {
		if (pathname === prefix || pathname.startsWith(prefix + '/'))
			return { provider, relPath: pathname.slice(prefix.length) || '/' };
	}
	return null;
}

function redactUri(v: string): string {
	return v.startsWith('data:') && v.length > 80 ? v.slice(0, 40) + '…(' + v.length + ' chars)' : v;
}

function summarize(v: unknown, depth = 0): unknown {
	if (typeof v === 'string') return redactUri(v);
	if (depth > 6 || v === null || typeof v !== 'object') return v;
	if (Array.isArray(v)) return v.map((x) => summarize(x, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [k, x] of Object.entries(v)) out[k] = summarize(x, depth + 1);
	return out;
}

function recordOf(req: IncomingMessage, url: URL, body: Buffer): RecordedRequest {
	const headers: Record<string, string> = {};
	for (const [k, v] of Object.entries(req.headers)) {
		if (v === undefined) continue;
		const value = Array.isArray(v) ? v.join(', ') : v;
		headers[k] = SECRET_HEADERS.includes(k)
			? /^Bearer\s/i.test(value)
				? 'Bearer REDACTED'
				: 'REDACTED'
			: value;
	}
	const query = new URLSearchParams(url.searchParams);
	if (query.has('key')) query.set('key', 'REDACTED');
	const qs = query.toString();
	const contentType = headers['content-type'] ?? null;
	const summary: RecordedRequest['body'] = { contentType, bytes: body.length };
	if (body.length && contentType && /json/i.test(contentType)) {
		try {
			summary.json = summarize(JSON.parse(body.toString('utf8')));
		} catch {
			summary.json = '(invalid JSON)';
		}
	} else if (body.length) {
		summary.sha256 = createHash('sha256').update(body).digest('hex');
	}
	return {
		at: Date.now(),
		provider: null,
		method: (req.method ?? 'GET').toUpperCase(),
		path: url.pathname + (qs ? '?' + qs : ''),
		headers,
		body: summary,
		status: null,
		fault: null,
	};
}

/** Applies a 'before' fault; returns true when the request is answered (or dropped) by it. */
async function applyFault(ctx: Ctx, rule: FaultRule): Promise<boolean> {
	ctx.record.fault = rule.kind;
	const headers = rule.headers ?? {};
	switch (rule.kind) {
		case 'delay':
			await sleep(rule.ms ?? 1000);
			return false;
		case 'drop':
			if (rule.when === 'after') {
				ctx.afterFault = rule;
				return false;
			}
			ctx.record.status = null;
			ctx.req.socket.destroy();
			return true;
		case 'malformed_json':
			if (rule.when !== 'before') {
				ctx.afterFault = rule;
				return false;
			}
			ctx.sendRaw(
				rule.status ?? 200,
				malformed(
					Buffer.from(
						JSON.stringify({ id: '00000000-0000-0000-0000-000000000000', status: 'PENDING' }),
					),
				),
				{
					'content-type': 'application/json; charset=utf-8',
					...headers,
				},
			);
			return true;
		case 'rate_limit': {
			const h: Record<string, string> = { ...headers };
			if (rule.retryAfter !== undefined && rule.retryAfter !== null)
				h['retry-after'] = String(rule.retryAfter);
			ctx.send(429, rule.body ?? providerErrorBody(ctx.provider, 429, ctx.url.pathname), h);
			return true;
		}
		case 'server_error': {
			const status = rule.status ?? 500;
			ctx.send(
				status,
				rule.body ?? providerErrorBody(ctx.provider, status, ctx.url.pathname),
				headers,
			);
			return true;
		}
		case 'status': {
			const status = rule.status ?? 500;
			if (typeof rule.body === 'string')
				ctx.sendRaw(status, rule.body, { 'content-type': 'text/plain; charset=utf-8', ...headers });
			else
				ctx.send(
					status,
					rule.body ?? providerErrorBody(ctx.provider, status, ctx.url.pathname),
					headers,
				);
			return true;
		}
		default:
			return false;
	}
}

async function handleProvider(ctx: Ctx, provider: AnySimProvider, relPath: string): Promise<void> {
	ctx.provider = provider;
	ctx.relPath = relPath;
	ctx.record.provider = provider;
	const rule = ctx.sim.faults.take(provider, ctx.method, relPath, ctx.url.pathname, 'generic');
	if (rule && (await applyFault(ctx, rule))) return;
	const routes = ROUTES[provider];
	let methodMismatch = false;
	for (const route of routes) {
		const m = route.pattern.exec(relPath);
		if (!m) continue;
		if (route.method !== ctx.method) {
			methodMismatch = true;
			continue;
		}
		await route.handler(ctx, m);
		return;
	}
	notFound(ctx, provider, methodMismatch);
}

function notFound(ctx: Ctx, provider: AnySimProvider, methodMismatch: boolean): void {
	const status = methodMismatch ? 405 : 404;
	const text = methodMismatch ? 'Method not allowed' : 'Not found';
	if (provider === 'runway') ctx.send(status, { error: text });
	else if (provider === 'useapi') ctx.send(status, { error: text + '.', code: status });
	else if (provider === 'liangxin') ctx.send(status, { code: status, msg: text, data: null });
	else if (provider === 'aiml') ctx.send(status, aimlErrorBody(ctx.url.pathname, status));
	else if (provider === 'muapi') ctx.send(status, muapiErrorBody(status));
	else
		ctx.send(status, {
			error: {
				message: 'Invalid URL (' + ctx.method + ' ' + ctx.url.pathname + ')',
				type: 'comet_api_error',
				param: '',
				code: '',
			},
		});
}

function handleFiles(ctx: Ctx, pathname: string): void {
	ctx.record.provider = 'files';
	if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
		ctx.send(405, { error: 'Method not allowed' });
		return;
	}
	if (pathname.startsWith('/static/')) {
		const p = findStatic(decodeURIComponent(pathname.slice('/static/'.length)));
		if (!p) ctx.send(404, { error: 'Not found' });
		else serveBytes(ctx, readCached(p), contentTypeFor(p));
		return;
	}
	const asset = /^\/files\/asset\/([^/]+)$/.exec(pathname);
	if (asset) {
		const a = [...ctx.sim.useapiAssets.values()].find((x) => x.id === asset[1]);
		if (!a) ctx.send(404, { error: 'Not found' });
		else serveBytes(ctx, a.data, a.contentType);
		return;
	}
	const muapi = /^\/files\/muapi\/([^/]+)\/[^/]+$/.exec(pathname);
	if (muapi) {
		const f = ctx.sim.muapiUploads.get(muapi[1]);
		if (!f) ctx.send(404, { error: 'Not found' });
		else serveBytes(ctx, f.data, f.contentType);
		return;
	}
	const m = /^\/files\/([^/]+)\.(mp4|png)$/.exec(pathname);
	const id = m ? decodeURIComponent(m[1]) : null;
	const task = id
		? ctx.sim.taskList.find((t) => t.id === id && !t.deleted && t.phase === 'succeeded')
		: undefined;
	if (!m || !task) {
		ctx.sendRaw(
			404,
			'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
			{
				'content-type': 'application/xml',
			},
		);
		return;
	}
	if (m[2] === 'mp4') serveBytes(ctx, readCached(OUTPUT_MP4), 'video/mp4');
	else serveBytes(ctx, readCached(POSTER_PNG), 'image/png');
}

function handleControl(ctx: Ctx, pathname: string, controls: Controls): void {
	const route = ctx.method + ' ' + pathname.replace(/\/$/, '');
	const runwayFile = /^GET \/__sim\/runway-files\/([^/]+)$/.exec(route);
	if (runwayFile) {
		// What a Runway upload stored (the real API never serves it back): for checks from another process.
		const file = ctx.sim.runwayUploads.get(decodeURIComponent(runwayFile[1]))?.file;
		if (!file) ctx.send(404, { error: 'no stored file for this upload' });
		else serveBytes(ctx, file.data, file.contentType);
		return;
	}
	const body = ctx.json();
	try {
		switch (route) {
			case 'GET /__sim/info':
				ctx.send(200, controls.info());
				return;
			case 'GET /__sim/faults':
				ctx.send(200, ctx.sim.faults.list().map(faultToJson));
				return;
			case 'POST /__sim/faults': {
				const rules = Array.isArray(body) ? body : [body];
				for (const r of rules) ctx.sim.faults.add(faultFromJson(r));
				ctx.send(201, ctx.sim.faults.list().map(faultToJson));
				return;
			}
			case 'DELETE /__sim/faults':
				ctx.sim.faults.clear();
				ctx.send(204);
				return;
			case 'POST /__sim/outcomes': {
				const b = body as { provider?: AnySimProvider; outcome?: SimOutcome; times?: number };
				if (!b || !b.provider || !(b.provider in PREFIXES) || !b.outcome)
					throw new Error('expected { provider, outcome, times? }');
				if (
					!['succeed', 'moderation', 'no_face', 'error', 'no_credits', 'stuck'].includes(b.outcome)
				)
					throw new Error('unknown outcome ' + b.outcome);
				ctx.sim.queueOutcome(b.provider, b.outcome, b.times ?? 1);
				ctx.send(204);
				return;
			}
			case 'DELETE /__sim/outcomes':
				ctx.sim.clearOutcomes();
				ctx.send(204);
				return;
			case 'GET /__sim/tasks':
				ctx.send(200, controls.tasks());
				return;
			case 'GET /__sim/callbacks':
				ctx.send(200, ctx.sim.callbacks.records());
				return;
			case 'GET /__sim/requests':
				ctx.send(200, ctx.sim.requestLog);
				return;
			case 'POST /__sim/reset':
				ctx.sim.reset();
				ctx.send(204);
				return;
			default:
				ctx.send(404, { error: 'unknown control endpoint ' + route });
		}
	} catch (error) {
		ctx.send(400, { error: (error as Error).message });
	}
}

export interface Controls {
	info(): unknown;
	tasks(): unknown;
}

export function createSimServer(sim: SimState, controls: Controls): Server {
	return createServer((req: IncomingMessage, res: ServerResponse) => {
		void (async () => {
			let url: URL;
			try {
				url = new URL(req.url ?? '/', 'http://sim.local');
			} catch {
				res.writeHead(400).end();
				return;
			}
			let body: Buffer;
			try {
				body = await readBody(req, BODY_LIMIT);
			} catch {
				if (!res.headersSent)
					res
						.writeHead(413, { 'content-type': 'application/json' })
						.end('{"error":"Request entity too large"}');
				return;
			}
			const record = recordOf(req, url, body);
			const ctx = new Ctx(req, res, sim, url, body, record);
			const pathname = url.pathname;
			try {
				if (pathname.startsWith('/__sim/')) {
					handleControl(ctx, pathname, controls);
					return;
				}
				sim.requestLog.push(record);
				if (pathname.startsWith('/runway-storage/')) {
					ctx.provider = 'runway';
					ctx.relPath = pathname;
					record.provider = 'runway';
					const rule = sim.faults.take('runway', ctx.method, pathname, pathname, 'generic');
					if (rule && (await applyFault(ctx, rule))) return;
					if (ctx.method !== 'POST') ctx.send(405, { error: 'Method not allowed' });
					else storageUpload(ctx, decodeURIComponent(pathname.slice('/runway-storage/'.length)));
					return;
				}
				if (pathname.startsWith('/media/')) {
					await handleMediaHost(ctx, pathname);
					return;
				}
				if (pathname.startsWith('/files/') || pathname.startsWith('/static/')) {
					// Only rules that name a /files or /static path apply here, so provider-wide rules keep their meaning.
					const rule = sim.faults.take(
						null,
						ctx.method,
						pathname,
						pathname,
						'generic',
						(r) => !r.provider && r.path !== undefined,
					);
					if (rule && (await applyFault(ctx, rule))) return;
					handleFiles(ctx, pathname);
					return;
				}
				const hit = providerOf(pathname);
				if (hit) {
					await handleProvider(ctx, hit.provider, hit.relPath);
					return;
				}
				if (pathname === '/' || pathname === '/health') {
					ctx.send(200, {
						ok: true,
						name: 'act-two provider simulator',
						...(controls.info() as object),
					});
					return;
				}
				ctx.send(404, {
					error:
						'Not found: the simulator serves ' +
						Object.values(PREFIXES).join(', ') +
						', /files, /static and /__sim',
				});
			} catch (error) {
				if (!ctx.answered && !res.destroyed)
					ctx.send(500, { error: 'simulator error: ' + (error as Error).message });
			}
		})();
	});
}
