/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Workflow builders for the Act-Two e2e files (nodes, trigger, callback-wait): small, typed helpers that
 * produce the JSON n8n's public API imports. Node parameter shapes follow examples/workflows/*.json.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Execution, N8nInstance, WorkflowJson, WorkflowNode } from '../../n8n/instance';

export const ACT_TWO = 'n8n-nodes-act-two.actTwo';
export const ACT_TWO_TRIGGER = 'n8n-nodes-act-two.actTwoTrigger';

export type CredentialRef = Record<string, { id: string; name: string }>;

/** One node; position is assigned from `at` ([column, row]) so v1 execution order (top first) is predictable. */
export function node(
	name: string,
	type: string,
	parameters: Record<string, unknown>,
	at: [number, number],
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type,
		typeVersion: 1,
		position: [at[0] * 240, at[1] * 200],
		parameters,
		...extra,
	};
}

/** A production Webhook trigger that answers at once ("Workflow was started"); the run goes on in n8n. */
export function webhookTrigger(path: string, at: [number, number] = [0, 0]): WorkflowNode {
	return node(
		'Webhook',
		'n8n-nodes-base.webhook',
		{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		at,
		{ typeVersion: 2, webhookId: randomUUID() },
	);
}

export function noOp(name: string, at: [number, number]): WorkflowNode {
	return node(name, 'n8n-nodes-base.noOp', {}, at);
}

/** An Act-Two node (resource task unless `parameters.resource` says otherwise). */
export function actTwo(
	name: string,
	credentials: CredentialRef,
	parameters: Record<string, unknown>,
	at: [number, number],
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return node(name, ACT_TWO, { resource: 'task', ...parameters }, at, { credentials, ...extra });
}

/** Create with URL inputs, polling fast (1 s, no jitter). */
export function createParams(
	provider: string,
	urls: { character: string; driving: string },
	more: Record<string, unknown> = {},
): Record<string, unknown> {
	const { options, createOptions, ...rest } = more as {
		options?: Record<string, unknown>;
		createOptions?: Record<string, unknown>;
	};
	return {
		provider,
		operation: 'create',
		characterSource: 'url',
		characterUrl: urls.character,
		characterType: 'image',
		drivingSource: 'url',
		drivingUrl: urls.driving,
		waitForCompletion: 'poll',
		output: 'task',
		createOptions: { ...(createOptions ?? {}) },
		options: { pollInterval: 1, pollJitter: 0, timeoutMinutes: 2, ...(options ?? {}) },
		...rest,
	};
}

export type Link = [from: string, to: string, output?: number, input?: number];

/** Connections from [from, to, output?, input?] tuples. */
export function connect(links: Link[]): Record<string, unknown> {
	const out: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> =
		{};
	for (const [from, to, output = 0, input = 0] of links) {
		const main = (out[from] ??= { main: [] }).main;
		while (main.length <= output) main.push([]);
		main[output].push({ node: to, type: 'main', index: input });
	}
	return out;
}

/**
 * Webhook → Read Driving Video and Read Character (files in `dir`, n8n's Read/Write Files node) → Combine: one
 * item carrying both files as binary `driving` and `character`. Connect the next node to "Combine".
 */
export function filesAsOneItem(
	dir: string,
	drivingFile: string,
	characterFile: string,
): { nodes: WorkflowNode[]; links: Link[] } {
	const read = (name: string, file: string, prop: string, row: number) =>
		node(
			name,
			'n8n-nodes-base.readWriteFile',
			{ fileSelector: join(dir, file), options: { dataPropertyName: prop } },
			[1, row],
			{ typeVersion: 1.1 },
		);
	return {
		nodes: [
			read('Read Driving Video', drivingFile, 'driving', 0),
			read('Read Character', characterFile, 'character', 1),
			node(
				'Combine',
				'n8n-nodes-base.merge',
				{ mode: 'combine', combineBy: 'combineByPosition', options: {} },
				[2, 0],
				{ typeVersion: 3.2 },
			),
		],
		links: [
			['Webhook', 'Read Driving Video'],
			['Webhook', 'Read Character'],
			['Read Driving Video', 'Combine', 0, 0],
			['Read Character', 'Combine', 0, 1],
		],
	};
}

export function workflow(name: string, nodes: WorkflowNode[], links: Link[]): WorkflowJson {
	return {
		name: `e2e ${name} ${Date.now().toString(36)}`,
		nodes,
		connections: connect(links),
		settings: { executionOrder: 'v1' },
	};
}

/** Imports and publishes a workflow; returns its id. */
export async function deploy(n8n: N8nInstance, wf: WorkflowJson): Promise<string> {
	const id = await n8n.importWorkflow(wf);
	await n8n.publish(id);
	return id;
}

/**
 * Publishes `wf`, starts it once through its Webhook node's production URL, waits for the execution to settle
 * and unpublishes it.
 */
export async function runOnce(
	n8n: N8nInstance,
	wf: WorkflowJson,
	timeoutMs = 90_000,
): Promise<Execution> {
	const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
	if (!hook) throw new Error('runOnce needs a workflow started by a Webhook node');
	const id = await deploy(n8n, wf);
	const res = await n8n.runViaWebhook(String(hook.parameters.path), {});
	if (res.status !== 200) throw new Error(`the Webhook answered ${res.status}, not 200`);
	const exec = await n8n.waitForExecution((e) => e.workflowId === id, {
		workflowId: id,
		timeoutMs,
		statuses: ['success', 'error', 'crashed', 'canceled'],
	});
	await n8n.unpublish(id);
	return exec;
}

/** Executions of one workflow (newest first), with data. */
export async function executionsOf(n8n: N8nInstance, workflowId: string): Promise<Execution[]> {
	return await n8n.listExecutions({ workflowId, includeData: true, limit: 100 });
}

/** JSON of every item a node output (run 0). */
export function jsonOf(
	exec: Execution,
	nodeName: string,
	output = 0,
): Array<Record<string, unknown>> {
	const main = exec.data?.resultData.runData[nodeName]?.[0]?.data?.main ?? [];
	return (main[output] ?? []).map((i) => i.json);
}

/** A short explanation of a failed execution, for assertion messages. */
export function describeExecution(exec: Execution): string {
	const rd = exec.data?.resultData;
	const errors = Object.entries(rd?.runData ?? {})
		.map(([name, runs]) => (runs[0]?.error ? `${name}: ${runs[0].error.message}` : ''))
		.filter(Boolean);
	return `execution ${exec.id} ${exec.status} (last node ${rd?.lastNodeExecuted ?? '-'}; ${
		rd?.error ? `error: ${rd.error.message} ${rd.error.description ?? ''}` : 'no error'
	}${errors.length ? `; node errors: ${errors.join(' | ')}` : ''})`;
}

/**
 * The bytes n8n stored for a binary in filesystem mode (n8n 2.x default):
 * `filesystem-v2:<path>` lives at `<userFolder>/.n8n/storage/<path>` (n8n 2.39; older: `.n8n/binaryData`).
 * Returns null when the binary is stored elsewhere (database / S3 mode).
 */
export function storedBinary(userFolder: string, binaryId: string | undefined): Buffer | null {
	if (!binaryId) return null;
	const m = /^filesystem(?:-v2)?:(.+)$/.exec(binaryId);
	if (!m) return null;
	for (const base of [
		join(userFolder, '.n8n', 'storage'),
		join(userFolder, '.n8n', 'binaryData'),
	]) {
		const p = join(base, m[1]);
		if (existsSync(p)) return readFileSync(p);
	}
	return null;
}

export const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or the time runs out (then throws with `what`). */
export async function until<T>(
	what: string,
	fn: () => Promise<T | undefined | null | false>,
	timeoutMs = 30_000,
	intervalMs = 250,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}
