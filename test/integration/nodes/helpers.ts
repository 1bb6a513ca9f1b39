/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Shared helpers for the node integration tests: the Act-Two node (and its trigger) run inside the harness
 * (n8n-core's real WorkflowExecute) against the provider simulator over real HTTP.
 */
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import {
	chain,
	MANUAL_TRIGGER_TYPE,
	node,
	NO_OP_TYPE,
	SET_ITEMS_TYPE,
	setItemsParameters,
	type RunOptions,
	type RunResult,
	type SetItemSpec,
	type WorkflowJson,
} from '../../harness';
import { startSimulator } from '../../simulator';
import type { RecordedRequest, SimProvider, Simulator, SimulatorOptions } from '../../simulator';

export const ACT_TWO = 'n8n-nodes-act-two.actTwo';
export const ACT_TWO_TRIGGER = 'n8n-nodes-act-two.actTwoTrigger';

export const ROOT = join(__dirname, '..', '..', '..');
export const DRIVING = readFileSync(join(ROOT, 'examples', 'assets', 'driving.mp4'));
export const CHARACTER = readFileSync(join(ROOT, 'examples', 'assets', 'character.png'));
export const OUTPUT = readFileSync(join(ROOT, 'examples', 'assets', 'output.mp4'));
export const TOO_SHORT = readFileSync(join(ROOT, 'test', 'fixtures', 'too-short.mp4'));
export const MOV = readFileSync(join(ROOT, 'test', 'fixtures', 'reference.mov'));

/** Short simulator timings: a render takes ~0.5 s. */
export const FAST = { queuedMs: 100, throttledMs: 0, runningMs: 400, progressSteps: 2 };

/**
 * Runs fn against a fresh simulator of its own, so tests can run concurrently (test.concurrent): most of a
 * test's time is spent waiting for a poll interval or a render, not on the CPU.
 */
export async function withSim<T>(
	fn: (sim: Simulator) => Promise<T>,
	opts: SimulatorOptions = {},
): Promise<T> {
	const sim = await startSimulator({ timing: FAST, ...opts });
	try {
		return await fn(sim);
	} finally {
		await sim.close();
	}
}

/** Polling options that keep the suite quick. */
export const QUICK_POLL = { pollInterval: 1, pollJitter: 0, timeoutMinutes: 1 };

export const CREDENTIAL_TYPE: Record<SimProvider, string> = {
	runway: 'runwayApi',
	useapi: 'useApiNetApi',
	comet: 'cometApi',
	liangxin: 'liangXinApi',
	aiml: 'aimlApi',
	muapi: 'muapiApi',
};

export const PROVIDERS: SimProvider[] = ['runway', 'useapi', 'comet', 'liangxin', 'aiml', 'muapi'];

/** Credential data for every provider, pointed at the simulator. */
export function credentials(
	sim: Simulator,
	extra: Partial<Record<SimProvider, Record<string, string>>> = {},
) {
	const out: RunOptions['credentials'] = {};
	for (const p of PROVIDERS) {
		out[CREDENTIAL_TYPE[p]] = {
			apiKey: sim.keys[p],
			baseUrl: sim.baseUrls[p],
			...(extra[p] ?? {}),
		};
	}
	return out;
}

export const nodeCredentials = (provider: SimProvider) => ({
	[CREDENTIAL_TYPE[provider]]: { id: `cred-${provider}`, name: `${provider} (simulator)` },
});

/** The Act-Two node for a provider. */
export function actTwo(
	provider: SimProvider,
	parameters: INodeParameters,
	extra: Partial<INode> = {},
	name = 'Act-Two',
): INode {
	return node(
		name,
		ACT_TWO,
		{ provider, ...parameters },
		{ credentials: nodeCredentials(provider), ...extra },
	);
}

/** Create parameters with URL inputs served by the simulator (loopback http is accepted by it). */
export function urlInputs(sim: Simulator, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'task',
		operation: 'create',
		characterSource: 'url',
		characterUrl: sim.staticUrl('character.png'),
		drivingSource: 'url',
		drivingUrl: sim.staticUrl('driving.mp4'),
		...extra,
	};
}

export const binaryInputs = (extra: INodeParameters = {}): INodeParameters => ({
	resource: 'task',
	operation: 'create',
	characterSource: 'binary',
	drivingSource: 'binary',
	...extra,
});

/** One item spec carrying the character image and a driving video as binary data. */
export function mediaItem(json: IDataObject = {}, driving: Buffer = DRIVING): SetItemSpec {
	return {
		json,
		binary: {
			character: {
				base64: CHARACTER.toString('base64'),
				mimeType: 'image/png',
				fileName: 'character.png',
			},
			driving: {
				base64: driving.toString('base64'),
				mimeType: 'video/mp4',
				fileName: 'driving.mp4',
			},
		},
	};
}

/** Start → Items (N items) → the given node (→ optional NoOp "After"). */
export function workflow(
	items: SetItemSpec[],
	act: INode,
	opts: { after?: boolean; errorBranch?: boolean } = {},
): WorkflowJson {
	const nodes = [
		node('Start', MANUAL_TRIGGER_TYPE),
		node('Items', SET_ITEMS_TYPE, setItemsParameters(items)),
		act,
	];
	if (opts.after) nodes.push(node('After', NO_OP_TYPE));
	if (opts.errorBranch) {
		nodes.push(node('Errors', NO_OP_TYPE));
		const wf = chain(nodes.filter((n) => n.name !== 'Errors'));
		wf.nodes.push(nodes.find((n) => n.name === 'Errors')!);
		wf.connections[act.name] = {
			main: [
				opts.after ? [{ node: 'After', type: 'main', index: 0 }] : [],
				[{ node: 'Errors', type: 'main', index: 0 }],
			],
		};
		return wf;
	}
	return chain(nodes);
}

export const items = (
	n: number,
	make: (i: number) => SetItemSpec = (i) => ({ json: { n: i } }),
): SetItemSpec[] => Array.from({ length: n }, (_, i) => make(i));

/** Requests the simulator recorded for a provider, optionally filtered by method and a path pattern. */
export function requests(
	sim: Simulator,
	provider: SimProvider,
	method?: string,
	path?: RegExp,
): RecordedRequest[] {
	return sim
		.requests()
		.filter(
			(r) =>
				r.provider === provider && (!method || r.method === method) && (!path || path.test(r.path)),
		);
}

export const CREATE_PATH: Record<SimProvider, RegExp> = {
	runway: /\/v1\/character_performance/,
	useapi: /\/gen4\/act-two/,
	comet: /\/(runwayml\/v1\/character_performance|runway\/pro\/act_one)/,
	liangxin: /\/api\/v1\/jobs\/createTask/,
	aiml: /\/v2\/video\/generations/,
	muapi: /\/runway-act-two-[iv]2v/,
};

export const createRequests = (sim: Simulator, provider: SimProvider) =>
	requests(sim, provider, 'POST', CREATE_PATH[provider]);

/** Error message of a failed run (the node's error), with its description. */
export function errorText(result: RunResult): string {
	const e = result.error as (Error & { description?: string }) | undefined;
	return e ? `${e.message} ${e.description ?? ''}` : '';
}

/** Asserts no simulator API key appears anywhere in what the run produced. */
export function expectNoSecrets(sim: Simulator, ...values: unknown[]): void {
	const text = values
		.map((v) => {
			if (v instanceof Error) {
				const e = v as Error & { description?: string; stack?: string };
				return [e.message, e.description ?? '', e.stack ?? '', safeStringify(v)].join('\n');
			}
			return safeStringify(v);
		})
		.join('\n');
	for (const key of Object.values(sim.keys)) {
		expect(text.includes(key)).toBe(false);
		// The random part of the key alone must not leak either.
		expect(text.includes(key.slice(-16))).toBe(false);
	}
}

function safeStringify(v: unknown): string {
	const seen = new WeakSet();
	try {
		return JSON.stringify(v, (_k, x: unknown) => {
			if (x && typeof x === 'object') {
				if (seen.has(x)) return '[circular]';
				seen.add(x);
			}
			if (x instanceof Error) return { ...x, message: x.message, stack: x.stack };
			return x;
		});
	} catch {
		return String(v);
	}
}

/** Output items of a run for a node (json only). */
export const jsons = (list: INodeExecutionData[]) => list.map((i) => i.json);

export const pairedIndex = (item: INodeExecutionData): number => {
	const p = item.pairedItem;
	if (Array.isArray(p)) return (p[0] as { item: number }).item;
	if (typeof p === 'number') return p;
	return (p as { item: number }).item;
};

export const startsWithFtyp = (b: Buffer): boolean =>
	b.length > 8 && b.toString('latin1', 4, 8) === 'ftyp';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
	fn: () => T | undefined | null | false,
	timeoutMs = 5000,
	everyMs = 25,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = fn();
		if (v !== undefined && v !== null && v !== false) return v;
		if (Date.now() > end) throw new Error('waitFor timed out');
		await sleep(everyMs);
	}
}

export interface Received {
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	body: unknown;
}

/** A tiny local receiver for provider callbacks: records bodies and headers, answers 200. */
export async function receiver(): Promise<{
	url: string;
	received: Received[];
	close(): Promise<void>;
}> {
	const received: Received[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body: unknown = raw;
			try {
				body = JSON.parse(raw);
			} catch {
				// keep the raw text
			}
			const url = new URL(req.url ?? '/', 'http://receiver');
			received.push({
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers: req.headers,
				body,
			});
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}/hook`,
		received,
		close: () =>
			new Promise<void>((r) => {
				server.close(() => r());
				server.closeAllConnections();
			}),
	};
}
