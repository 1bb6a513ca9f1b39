/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * What the real-n8n benchmarks share: one n8n (the version scripts/install-n8n.sh gives, N8N_VERSION to pick;
 * this package built, packed and installed as n8n installs community packages) started on first use and
 * stopped by stopBenchN8n(); the flag that lets them run; the executions they read back; and the size of what
 * n8n stored for an execution, read from its own SQLite database.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

import {
	resolveRuntime,
	startN8n,
	type Execution,
	type N8nInstance,
	type WorkflowJson,
} from '../n8n/instance';
import type { BenchOutcome } from './report';

const execFileP = promisify(execFile);

/** The real-n8n benchmarks run only with this set: they build the package and boot an n8n. */
export const N8N_FLAG = 'ACT_TWO_BENCH_N8N';
export const n8nBenchEnabled = () => process.env[N8N_FLAG] === '1';

/** A benchmark that needs a real n8n: run when the flag is set, reported as skipped otherwise. */
export function needsN8n(
	name: string,
	run: () => Promise<BenchOutcome>,
): () => Promise<BenchOutcome> {
	return async () => {
		if (n8nBenchEnabled()) return await run();
		console.log(`\n== ${name}: skipped (a real n8n; set ${N8N_FLAG}=1 to run it)`);
		return { name, ok: true, problems: [], summary: [], skipped: `set ${N8N_FLAG}=1` };
	};
}

/** A real-n8n benchmark file's entry point: run directly it runs the benchmark and stops its n8n; imported, nothing. */
export function n8nBenchEntry(mod: NodeJS.Module, run: () => Promise<BenchOutcome>): void {
	if (require.main !== mod) return;
	run()
		.then((outcome) => (outcome.ok ? 0 : 1))
		.catch((error: unknown) => {
			console.error(error);
			return 1;
		})
		.then(async (code) => {
			await stopBenchN8n();
			process.exit(code);
		});
}

let shared: Promise<N8nInstance> | undefined;

/** The n8n the benchmarks share, started (build, pack, install, boot) on first use. */
export async function benchN8n(): Promise<N8nInstance> {
	shared ??= (async () => {
		const t0 = performance.now();
		const runtime = await resolveRuntime();
		const n8n = await startN8n({
			packageTarball: true,
			// n8n's defaults, said here because the intake figures depend on them; then ACT_TWO_BENCH_N8N_ENV
			env: {
				EXECUTIONS_MODE: 'regular',
				N8N_CONCURRENCY_PRODUCTION_LIMIT: '-1',
				...extraEnv(),
			},
		});
		console.log(
			`  n8n ${runtime.version} (package built and installed) ready at ${n8n.baseUrl} in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
		);
		return n8n;
	})();
	return await shared;
}

/** ACT_TWO_BENCH_N8N_ENV="K=V K2=V2": more environment for the benchmarks' n8n (e.g. N8N_EXPRESSION_ENGINE=legacy). */
function extraEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const pair of (process.env.ACT_TWO_BENCH_N8N_ENV ?? '').split(/\s+/).filter(Boolean)) {
		const eq = pair.indexOf('=');
		if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
	}
	if (Object.keys(env).length)
		console.log(`  n8n environment added: ${Object.keys(env).join(', ')}`);
	return env;
}

/** Stops the shared n8n and deletes its folder (nothing when none was started). */
export async function stopBenchN8n(): Promise<void> {
	const started = shared;
	shared = undefined;
	const n8n = await started?.catch(() => undefined);
	await n8n?.destroy();
}

/** Imports and publishes a workflow; returns its id. */
export async function deploy(n8n: N8nInstance, wf: WorkflowJson): Promise<string> {
	const id = await n8n.importWorkflow(wf);
	await n8n.publish(id);
	return id;
}

/** Every execution of a workflow (all pages), with or without data. */
export async function allExecutions(
	n8n: N8nInstance,
	workflowId: string,
	includeData: boolean,
): Promise<Execution[]> {
	const out: Execution[] = [];
	let cursor = '';
	for (;;) {
		const q = new URLSearchParams({ workflowId, includeData: String(includeData), limit: '250' });
		if (cursor) q.set('cursor', cursor);
		const page = await n8n.api<{ data: Execution[]; nextCursor?: string | null }>(
			'GET',
			`/executions?${q.toString()}`,
		);
		out.push(...page.body.data);
		if (!page.body.nextCursor) return out;
		cursor = page.body.nextCursor;
	}
}

/**
 * Bytes n8n stored for each execution: its run data (execution_data.data, the flatted JSON the executions
 * list and the editor load) and the copy of the workflow stored with it (execution_data.workflowData). Read
 * with Node 24's node:sqlite from n8n's database file, read-only, while n8n runs.
 */
export async function storedBytes(
	n8n: N8nInstance,
	executionIds: string[],
): Promise<Map<string, { data: number; workflow: number }>> {
	const runtime = await resolveRuntime();
	const ids = executionIds.map(Number).filter(Number.isInteger);
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const db = new DatabaseSync(process.argv[1], { readOnly: true });
		const ids = JSON.parse(process.argv[2]);
		const rows = db.prepare('SELECT "executionId" AS id, length(CAST(data AS BLOB)) AS data, length(CAST("workflowData" AS BLOB)) AS workflow FROM execution_data WHERE "executionId" IN (' + ids.map(() => '?').join(',') + ')').all(...ids);
		process.stdout.write(JSON.stringify(rows));`;
	const { stdout } = await execFileP(
		runtime.node,
		[
			'--no-warnings',
			'-e',
			script,
			join(n8n.userFolder, '.n8n', 'database.sqlite'),
			JSON.stringify(ids),
		],
		{ maxBuffer: 16 * 1024 * 1024 },
	);
	const rows = JSON.parse(stdout) as Array<{ id: number; data: number; workflow: number }>;
	return new Map(rows.map((r) => [String(r.id), { data: r.data, workflow: r.workflow }]));
}

export const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

/** The value at quantile q (0..1) of `values` (nearest rank). */
export function quantile(values: number[], q: number): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Runs fn over items with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(
	items: readonly T[],
	concurrency: number,
	fn: (item: T) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await fn(items[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
	return results;
}

/**
 * CPU time (user + system, all threads, ms) the n8n process has used so far, from /proc/<pid>/stat: a figure
 * the other sessions on a shared machine disturb far less than wall time. null where there is no /proc.
 */
export function n8nCpuMs(n8n: N8nInstance): number | null {
	const pid = (n8n as N8nInstance & { pid?: () => number | undefined }).pid?.();
	if (!pid || !existsSync(`/proc/${pid}/stat`)) return null;
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on Linux for every architecture n8n runs on. */
const CLOCK_TICKS = 100;
