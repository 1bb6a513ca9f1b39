/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * A local HTTP server that plays n8n's `/webhook-waiting/:executionId{/:suffix}` route for harness runs, so a
 * provider (or the provider simulator) can call `$execution.resumeUrl` over real HTTP. Semantics follow n8n's
 * WaitingWebhooks (see /work/shared/n8n-reference.md §5):
 * - unknown execution → 404; running → 409 ("is running already"); finished or error → 409;
 * - `?signature=` must equal the execution's resumeToken → else 401 `{"error":"Invalid token"}`;
 * - the waiting node's restart webhook (method + suffix) is called with a real WebhookContext; its
 *   `webhookResponse` is the HTTP answer (200), and with `workflowData` the execution continues in the
 *   background (status `running` until it ends: success, error, or waiting again).
 *
 * Usage: `const hooks = await startWaitingWebhookServer(); runWorkflow(wf, { ...hooks.runOptions(), ... });`
 * then `await hooks.waitForStatus(executionId)`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IHttpRequestMethods } from 'n8n-workflow';

import {
	startResumeWebhook,
	type ExecutionObserver,
	type RunOptions,
	type RunResult,
	type RunStatus,
} from './engine';

export interface WaitingWebhookRequestLog {
	method: string;
	url: string;
	executionId: string;
	statusCode: number;
}

export interface WaitingWebhookServer {
	/** Base URL to use as `instanceBaseUrl` (ends with '/'). */
	baseUrl: string;
	/** `{ instanceBaseUrl, executionObserver }` to spread into runWorkflow options. */
	runOptions(): Pick<RunOptions, 'instanceBaseUrl' | 'executionObserver'>;
	/** Latest result of an execution (waiting or final), undefined while it has never ended. */
	result(executionId: string): RunResult | undefined;
	/** 'running' while an execution runs, else the status of its latest result. */
	state(executionId: string): RunStatus | 'running' | undefined;
	/** Resolves with the execution's result once its status is one of `statuses`. */
	waitForStatus(
		executionId: string,
		statuses?: RunStatus[],
		timeoutMs?: number,
	): Promise<RunResult>;
	/** Every request the server answered. */
	requests: WaitingWebhookRequestLog[];
	close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
	if (raw.length === 0) return {};
	const text = raw.toString('utf8');
	if (contentType?.includes('application/json')) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return {};
		}
	}
	if (contentType?.includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(text));
	}
	return {};
}

export async function startWaitingWebhookServer(
	options: { host?: string; port?: number } = {},
): Promise<WaitingWebhookServer> {
	const running = new Set<string>();
	const results = new Map<string, RunResult>();
	const waiters: Array<{
		executionId: string;
		statuses: RunStatus[];
		resolve: (r: RunResult) => void;
	}> = [];
	const requests: WaitingWebhookRequestLog[] = [];

	const observer: ExecutionObserver = {
		onStart(executionId) {
			running.add(executionId);
		},
		onResult(result) {
			running.delete(result.executionId);
			results.set(result.executionId, result);
			for (const waiter of [...waiters]) {
				if (waiter.executionId === result.executionId && waiter.statuses.includes(result.status)) {
					waiters.splice(waiters.indexOf(waiter), 1);
					waiter.resolve(result);
				}
			}
		},
	};

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? '/', 'http://harness');
		const match = /^\/webhook-waiting\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
		const executionId = match ? decodeURIComponent(match[1]) : '';
		const send = (statusCode: number, body: unknown) => {
			requests.push({ method: req.method ?? '', url: req.url ?? '', executionId, statusCode });
			if (res.headersSent) return;
			res.writeHead(statusCode, { 'content-type': 'application/json' });
			res.end(body === undefined ? '' : JSON.stringify(body));
		};
		const raw = await readBody(req);
		if (!match) return send(404, { message: 'Not found' });
		if (running.has(executionId)) {
			return send(409, { message: `The execution "${executionId}" is running already.` });
		}
		const waiting = results.get(executionId);
		if (!waiting) return send(404, { message: `The execution "${executionId}" does not exist.` });
		if (waiting.status !== 'waiting') {
			return send(409, { message: `The execution "${executionId}" has finished already.` });
		}
		const token = waiting.data.data.resumeToken;
		if (token && url.searchParams.get('signature') !== token)
			return send(401, { error: 'Invalid token' });

		const headers: Record<string, string | string[] | undefined> = { ...req.headers };
		let outcome: Awaited<ReturnType<typeof startResumeWebhook>>;
		try {
			running.add(executionId); // n8n marks it running while the webhook is handled
			outcome = await startResumeWebhook(
				waiting,
				{
					method: (req.method ?? 'POST') as IHttpRequestMethods,
					body: parseBody(raw, req.headers['content-type']),
					rawBody: raw,
					headers,
					query: Object.fromEntries(url.searchParams),
					path: match[2] ?? '',
				},
				{ executionObserver: observer },
			);
		} catch (error) {
			running.delete(executionId);
			const message = (error as Error).message;
			return send(/no restart webhook/.test(message) ? 404 : 500, { message });
		}
		const { result, continuation } = outcome;
		if (!continuation) running.delete(executionId);
		else void continuation.catch(() => running.delete(executionId));
		if (result.response.noWebhookResponse) {
			const recorded = result.httpResponse;
			requests.push({
				method: req.method ?? '',
				url: req.url ?? '',
				executionId,
				statusCode: recorded.statusCode,
			});
			res.writeHead(recorded.statusCode, {
				'content-type': 'application/json',
				...recorded.headers,
			});
			res.end(
				typeof recorded.body === 'string' ? recorded.body : JSON.stringify(recorded.body ?? ''),
			);
			return;
		}
		return send(200, result.response.webhookResponse ?? { message: 'Workflow was started' });
	};

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ message: error.message }));
			}
		});
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
	const baseUrl = `http://${host}:${(server.address() as AddressInfo).port}/`;

	return {
		baseUrl,
		runOptions: () => ({ instanceBaseUrl: baseUrl, executionObserver: observer }),
		result: (executionId) => results.get(executionId),
		state: (executionId) =>
			running.has(executionId) ? 'running' : results.get(executionId)?.status,
		async waitForStatus(
			executionId,
			statuses = ['success', 'error', 'canceled'],
			timeoutMs = 30_000,
		) {
			const current = results.get(executionId);
			if (current && !running.has(executionId) && statuses.includes(current.status)) return current;
			return await new Promise<RunResult>((resolve, reject) => {
				const waiter = {
					executionId,
					statuses,
					resolve: (r: RunResult) => {
						clearTimeout(timer);
						resolve(r);
					},
				};
				const timer = setTimeout(() => {
					waiters.splice(waiters.indexOf(waiter), 1);
					const state = running.has(executionId) ? 'running' : results.get(executionId)?.status;
					reject(
						new Error(
							`Harness: execution ${executionId} did not reach ${statuses.join('|')} within ${timeoutMs} ms (now ${state ?? 'unknown'})`,
						),
					);
				}, timeoutMs);
				waiters.push(waiter);
			});
		},
		requests,
		close: async () =>
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
