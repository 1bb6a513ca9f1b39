/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * What an e2e test file gets: the shared n8n started by global-setup.ts (a client for it) and the simulator.
 *
 *   const { n8n, info, sim } = await loadE2e();
 *   const id = await n8n.importWorkflow(wf); await n8n.publish(id);
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { connectN8n, REPO_ROOT, type N8nInstance } from '../n8n/instance';
import { simControl } from '../n8n/simulator';

export const E2E_DIR = join(REPO_ROOT, '.n8n-e2e');
/** ACT_TWO_E2E_FILE overrides where the run's connection info is read/written. */
export const E2E_FILE = process.env.ACT_TWO_E2E_FILE ?? join(E2E_DIR, 'e2e.json');

export type Provider = 'runway' | 'useapi' | 'comet' | 'liangxin' | 'aiml' | 'muapi';

/** n8n credential type per provider (data: { apiKey, baseUrl }). */
export const PROVIDER_CREDENTIALS: Record<Provider, string> = {
	runway: 'runwayApi',
	useapi: 'useApiNetApi',
	comet: 'cometApi',
	liangxin: 'liangXinApi',
	aiml: 'aimlApi',
	muapi: 'muapiApi',
};

/** Format of .n8n-e2e/e2e.json (written by global-setup.ts, mode 0600; the API key is in <userFolder>/instance.json). */
export interface E2eInfo {
	/** version: the n8n under test (scripts/test.sh runs the suite once per version of N8N_VERSIONS). */
	n8n: { version: string; userFolder: string; baseUrl: string; logFile: string; bootMs: number };
	/** nodeTypes: the package's node type names as n8n loaded them, e.g. "n8n-nodes-act-two.actTwo". */
	package: { installed: boolean; tarball: string | null; nodeTypes: string[] };
	simulator: {
		url: string;
		baseUrls: Record<Provider, string>;
		keys: Record<Provider, string>;
		pid: number;
		logFile: string;
	} | null;
	/** One credential per provider, pointing at the simulator. */
	credentials: Partial<Record<Provider, { id: string; name: string; type: string }>>;
	/** N8N_RESTRICT_FILE_ACCESS_TO of the shared instance (Read/Write Files from Disk work here). */
	filesDir: string;
}

export function readE2eInfo(): E2eInfo {
	if (!existsSync(E2E_FILE))
		throw new Error(`${E2E_FILE} is missing: run the suite with jest -c jest.e2e.config.js`);
	return JSON.parse(readFileSync(E2E_FILE, 'utf8')) as E2eInfo;
}

export interface E2eContext {
	info: E2eInfo;
	n8n: N8nInstance;
	/** Simulator control API: sim('POST', 'reset'), sim('GET', 'tasks'), … (throws when there is no simulator). */
	sim<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
	/** `{ [type]: { id, name } }` for a workflow node's `credentials` field. */
	credentialRef(provider: Provider): Record<string, { id: string; name: string }>;
}

export async function loadE2e(): Promise<E2eContext> {
	const info = readE2eInfo();
	const n8n = await connectN8n(info.n8n.userFolder);
	return {
		info,
		n8n,
		async sim<T>(method: string, path: string, body?: unknown) {
			if (!info.simulator)
				throw new Error('the e2e run has no simulator (test/simulator/index.ts missing?)');
			return await simControl<T>(info.simulator.url, method, path, body);
		},
		credentialRef(provider) {
			const c = info.credentials[provider];
			if (!c)
				throw new Error(
					`no ${provider} credential in this e2e run (package or simulator missing?)`,
				);
			return { [c.type]: { id: c.id, name: c.name } };
		},
	};
}

/** Deep copy of a workflow JSON with a fresh name/webhook path suffix, so tests never collide on the shared instance. */
export function uniqueWebhookPath(prefix: string): string {
	return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** POSTs JSON the way a provider's callback does; the answer's body parsed when it is JSON. */
export async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, body: parsed };
}
