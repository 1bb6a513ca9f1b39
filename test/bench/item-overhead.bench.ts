/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Per-item overhead: the Act-Two node (Create, Poll Until Done) run by n8n-core's engine against a bare HTTP
 * client (Node's fetch, i.e. undici) making exactly the same requests: the node's URL checks (replayed from the
 * node's own run), one create per item with the very body the node sent, one poll interval of waiting, then
 * status reads until each task has ended. Renders end at once on the simulator and no latency is added, so what
 * is left is the cost of making the requests and handling the answers. Each contender runs in a child process
 * of its own (the simulator's CPU is not counted), first a warm-up batch, then RUNS measured batches of N items;
 * the median run is reported: wall time and CPU time (user + system) per item. Both wait one poll interval
 * (1 s, the node's smallest) between the creates and the first reads; it is left out of the wall time per item.
 *
 * Run alone: node --import tsx test/bench/item-overhead.bench.ts
 */
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

import { RUNWAY_VERSION } from '../../nodes/ActTwo/providers/common/runway-format';
import { startSimulator, type RecordedRequest, type Simulator } from '../simulator';
import { fmtRatio, printTable, type BenchOutcome } from './report';
import { childConfig, childMode, median, pool, report, runSide } from './side-by-side';

const N = Number(process.env.ACT_TWO_BENCH_ITEMS ?? 400);
const WARM = 40;
const RUNS = 3;
const CONCURRENCY = 8;
const INTERVAL_S = 1;
const INSTANT = { queuedMs: 0, throttledMs: 0, runningMs: 0, progressSteps: 1 };
const CHILD_TIMEOUT_MS = 4 * 60_000;
const TARGET = 1.1;

interface Config {
	baseUrl: string;
	apiKey: string;
	characterUrl: string;
	drivingUrl: string;
	/** bare: the node's URL checks and create body, from its own run. */
	preflight?: Array<{ method: string; url: string; range: string | null }>;
	createBody?: unknown;
}

interface Run {
	n: number;
	from: number;
	to: number;
	wallMs: number;
	cpuMs: number;
	succeeded: number;
}

type Mode = 'node' | 'bare' | 'bare-fresh';

interface Side {
	mode: Mode;
	runs: Run[];
	problems: string[];
}

async function measured(n: number, batch: (n: number) => Promise<number>): Promise<Run> {
	const from = Date.now();
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	const succeeded = await batch(n);
	const wallMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	return { n, from, to: Date.now(), wallMs, cpuMs: (cpu.user + cpu.system) / 1000, succeeded };
}

async function sideRuns(batch: (n: number) => Promise<number>): Promise<Run[]> {
	await batch(WARM);
	const runs: Run[] = [];
	for (let k = 0; k < RUNS; k++) runs.push(await measured(N, batch));
	return runs;
}

// ---- the node ----------------------------------------------------------------------------------------------

async function nodeSide(c: Config): Promise<Side> {
	const harness = await import('../harness');
	const h = await import('../integration/nodes/helpers');
	await harness.initHarness();
	harness.loadPackage();
	const problems: string[] = [];
	const runs = await sideRuns(async (n) => {
		const result = await harness.runWorkflow(
			h.workflow(
				h.items(n),
				h.actTwo('runway', {
					resource: 'task',
					operation: 'create',
					characterSource: 'url',
					characterUrl: c.characterUrl,
					drivingSource: 'url',
					drivingUrl: c.drivingUrl,
					waitForCompletion: 'poll',
					options: { pollInterval: INTERVAL_S, pollJitter: 0, concurrency: CONCURRENCY },
				}),
			),
			{
				credentials: { runwayApi: { apiKey: c.apiKey, baseUrl: c.baseUrl } },
				timeoutMs: CHILD_TIMEOUT_MS,
			},
		);
		if (result.status !== 'success')
			problems.push(`run ${result.status}: ${result.error?.message}`);
		const out = result.status === 'success' ? result.outputs('Act-Two') : [];
		return out.filter((i) => i.json.status === 'succeeded').length;
	});
	return { mode: 'node', runs, problems };
}

// ---- the bare client ---------------------------------------------------------------------------------------

/** One request on a connection of its own (what n8n's helper does: a new agent, so a new socket, per request). */
function freshRequest(
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ ok: boolean; status: number; text: () => Promise<string> }> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(
			url,
			{ method: init.method ?? 'GET', headers: init.headers, agent: false },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (d: Buffer) => chunks.push(d));
				res.on('end', () => {
					const status = res.statusCode ?? 0;
					const text = Buffer.concat(chunks).toString('utf8');
					resolve({ ok: status >= 200 && status < 300, status, text: async () => text });
				});
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(init.body);
	});
}

/** fresh: every request on a new connection (node:http, agent: false); else fetch, which keeps connections alive. */
async function bareSide(c: Config, fresh: boolean): Promise<Side> {
	const send = fresh ? freshRequest : fetch;
	const api = c.baseUrl.replace(/\/+$/, '');
	const headers = {
		Accept: 'application/json',
		Authorization: `Bearer ${c.apiKey}`,
		'X-Runway-Version': RUNWAY_VERSION,
	};
	const json = async (res: { ok: boolean; status: number; text: () => Promise<string> }) => {
		const text = await res.text();
		if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
		return JSON.parse(text) as { id: string; status: string; output?: string[] };
	};
	const body = JSON.stringify(c.createBody);
	const runs = await sideRuns(async (n) => {
		await Promise.all(
			(c.preflight ?? []).map(async (p) => {
				const res = await send(p.url, {
					method: p.method,
					headers: p.range ? { Range: p.range, 'Accept-Encoding': 'identity' } : {},
				});
				await res.text();
			}),
		);
		const created = await pool(
			Array.from({ length: n }, (_, i) => i),
			CONCURRENCY,
			async () =>
				await json(
					await send(`${api}/v1/character_performance`, {
						method: 'POST',
						headers: { ...headers, 'Content-Type': 'application/json' },
						body,
					}),
				),
		);
		await delay(INTERVAL_S * 1000);
		const done = await pool(created, CONCURRENCY, async (task) => {
			for (;;) {
				const t = await json(
					await send(`${api}/v1/tasks/${encodeURIComponent(task.id)}`, { headers }),
				);
				if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(t.status))
					return { taskId: t.id, status: t.status.toLowerCase(), videoUrl: t.output?.[0] ?? null };
				await delay(INTERVAL_S * 1000);
			}
		});
		return done.filter((t) => t.status === 'succeeded').length;
	});
	return { mode: fresh ? 'bare-fresh' : 'bare', runs, problems: [] };
}

// ---- parent ------------------------------------------------------------------------------------------------

/** What a run asked of the simulator, as "METHOD kind" counts (the simulator's own media fetches left out). */
function requestMix(sim: Simulator, run: Run): Record<string, number> {
	const mix: Record<string, number> = {};
	for (const r of sim.requests()) {
		if (r.at < run.from || r.at > run.to) continue;
		if (/^RunwayML API/.test(r.headers['user-agent'] ?? '')) continue;
		const kind = r.path.startsWith('/static/')
			? `${r.method} media${r.headers.range ? ' (range)' : ''}`
			: /\/v1\/tasks\//.test(r.path)
				? `${r.method} task`
				: `${r.method} ${r.path.replace(/\?.*$/, '')}`;
		mix[kind] = (mix[kind] ?? 0) + 1;
	}
	return mix;
}

const fmtMix = (m: Record<string, number>) =>
	Object.entries(m)
		.sort()
		.map(([k, v]) => `${k} ×${v}`)
		.join(', ');

export async function run(): Promise<BenchOutcome> {
	const sim = await startSimulator({ timing: INSTANT });
	const base: Config = {
		baseUrl: sim.baseUrls.runway,
		apiKey: sim.keys.runway,
		characterUrl: sim.staticUrl('character.png'),
		drivingUrl: sim.staticUrl('driving.mp4'),
	};
	console.log(
		`\n== item-overhead: the Act-Two node in n8n-core's engine vs a bare fetch client making the same requests\n` +
			`   N=${N} items per batch, Concurrency ${CONCURRENCY} for both, renders end at once, no added latency, ` +
			`median of ${RUNS} batches after a warm-up of ${WARM}`,
	);
	const problems: string[] = [];
	let node: Side;
	let bare: Side;
	let fresh: Side;
	const mixes: Array<{ mode: string; mix: Record<string, number> }> = [];
	try {
		node = await runSide<Side>(__filename, 'node', base, CHILD_TIMEOUT_MS);
		const nodeRun = node.runs[0];
		const own = (r: RecordedRequest) =>
			r.at >= nodeRun.from &&
			r.at <= nodeRun.to &&
			!/^RunwayML API/.test(r.headers['user-agent'] ?? '');
		const preflight = sim
			.requests()
			.filter((r) => own(r) && r.path.startsWith('/static/'))
			.map((r) => ({ method: r.method, url: sim.url + r.path, range: r.headers.range ?? null }));
		const create = sim
			.requests()
			.find((r) => own(r) && r.method === 'POST' && /character_performance$/.test(r.path));
		const bareConfig = { ...base, preflight, createBody: create?.body.json };
		bare = await runSide<Side>(__filename, 'bare', bareConfig, CHILD_TIMEOUT_MS);
		fresh = await runSide<Side>(__filename, 'bare-fresh', bareConfig, CHILD_TIMEOUT_MS);
		for (const s of [node, bare, fresh]) {
			problems.push(...s.problems.map((p) => `${s.mode}: ${p}`));
			s.runs.forEach((r, k) => {
				if (r.succeeded !== r.n)
					problems.push(`${s.mode} run ${k}: ${r.succeeded}/${r.n} succeeded`);
				mixes.push({ mode: `${s.mode} run ${k}`, mix: requestMix(sim, r) });
			});
		}
	} finally {
		await sim.close();
	}
	for (const m of mixes) console.log(`  ${m.mode.padEnd(16)} requests: ${fmtMix(m.mix)}`);
	// The same requests: one create per item each; the rest alike but for the odd extra status read of a render
	// the simulator had not ended when it was first read, or a media request more (the other contender would
	// have made those too, had it met the same timing).
	const firstMix = mixes[0].mix;
	const differs = mixes.filter((m) =>
		Object.keys({ ...firstMix, ...m.mix }).some((k) => {
			const a = firstMix[k] ?? 0;
			const b = m.mix[k] ?? 0;
			return k.startsWith('POST') ? a !== b : Math.abs(a - b) > Math.max(2, 0.01 * N);
		}),
	);
	if (differs.length)
		problems.push(`different requests: ${differs.map((m) => m.mode).join(', ')} (see above)`);

	const per = (s: Side, f: (r: Run) => number) => median(s.runs.map((r) => f(r) / r.n));
	const wall = (r: Run) => r.wallMs - INTERVAL_S * 1000;
	const rows = [
		{ metric: 'wall time per item (without the 1 s wait)', f: wall },
		{ metric: 'wall time per item (whole batch)', f: (r: Run) => r.wallMs },
		{ metric: 'CPU time per item', f: (r: Run) => r.cpuMs },
	].map(({ metric, f }) => {
		const ours = per(node!, f);
		const baseline = per(bare!, f);
		const freshBaseline = per(fresh!, f);
		return { metric, ours, baseline, freshBaseline, ratio: ours / baseline };
	});
	console.log('');
	console.log(
		`Ratio = node / bare fetch client (the overhead factor; target ≤ ${TARGET.toFixed(2)}x). Per item: the batch's time / N.\n` +
			`"bare, new socket each": the same client on node:http with a new connection per request, as n8n's request\n` +
			`helper makes (it builds a new agent per request, so it never reuses a connection); for reference.`,
	);
	const fmtPer = (ms: number) => `${ms.toFixed(2)} ms`;
	printTable(
		[
			'metric',
			'node (ours)',
			'bare fetch',
			'ratio',
			'target',
			'bare, new socket each',
			'node / that',
		],
		rows.map((r) => [
			r.metric,
			fmtPer(r.ours),
			fmtPer(r.baseline),
			fmtRatio(r.ratio),
			r.metric.includes('whole') ? '-' : r.ratio <= TARGET ? 'met' : 'MISSED',
			fmtPer(r.freshBaseline),
			fmtRatio(r.ours / r.freshBaseline),
		]),
	);
	for (const p of problems) console.log(`WRONG: ${p}`);
	return {
		name: 'item-overhead (vs bare fetch)',
		ok: problems.length === 0,
		problems,
		summary: rows
			.filter((r) => !r.metric.includes('whole'))
			// The summary's ratio is baseline / ours, as everywhere in it; the overhead factor is its inverse.
			.map((r) => ({
				metric: `${r.metric}, N=${N}: node = ${fmtRatio(r.ratio)} bare`,
				ours: fmtPer(r.ours),
				baseline: fmtPer(r.baseline),
				ratio: fmtRatio(1 / r.ratio),
				target: `node <= ${TARGET.toFixed(2)}x bare`,
				met: r.ratio <= TARGET,
			})),
	};
}

const mode = childMode();
if (mode) {
	const c = childConfig<Config>();
	(mode === 'node' ? nodeSide(c) : bareSide(c, mode === 'bare-fresh'))
		.then((side) => {
			report(side);
			process.exit(0);
		})
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
} else if (require.main === module) {
	run()
		.then((outcome) => process.exit(outcome.ok ? 0 : 1))
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
}
