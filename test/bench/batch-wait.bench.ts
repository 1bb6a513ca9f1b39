/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Waiting for a batch of renders: the Act-Two node (Create, Poll Until Done, in n8n-core's engine) against what
 * a developer would write with Runway's official SDK: N `characterPerformance.create(...)` awaited with
 * `.waitForTaskOutput()` in parallel (`Promise.all`). Same simulator, same render time, same latency per
 * request, same poll interval and jitter (the SDK's fixed 6 s ± 1.5 s), N = 10, 40, 200. For each N both
 * contenders run at the same time, each in a child process of its own (its memory is its own). Measured:
 * wall time (first create to last result), status reads per task (from the simulator's request log), how late
 * each render's end was seen (the answer that first said "ended", minus when the simulator ended the render),
 * peak memory above the process's floor.
 *
 * Run alone: node --import tsx test/bench/batch-wait.bench.ts
 */
import { performance } from 'node:perf_hooks';

import { startSimulator, type Simulator } from '../simulator';
import { fmtMs, fmtRatio, printTable, type BenchOutcome, type SummaryRow } from './report';
import {
	childConfig,
	childMode,
	median,
	memorySampler,
	quantile,
	report,
	runSide,
	type MemoryFigures,
} from './side-by-side';

/** A render: 3 s queued, then 30 s running with progress every second (30 steps). */
const TIMING = { queuedMs: 3000, throttledMs: 0, runningMs: 30_000, progressSteps: 30 };
/** Added to every Runway API request: a round trip to a distant API. */
const LATENCY_MS = 100;
/** The SDK's poll interval and jitter (fixed in @runwayml/sdk's lib/polling.ts: 6000 + random * 3000 - 1500). */
const INTERVAL_S = 6;
const JITTER_S = 1.5;
/** The node's Concurrency option (Runway's highest tier runs 20 renders at once); the SDK has no limit. */
const CONCURRENCY = 20;
const SIZES = (process.env.ACT_TWO_BENCH_SIZES ?? '10,40,200').split(',').map(Number);
const CHILD_TIMEOUT_MS = 5 * 60_000;

type Mode = 'sdk' | 'node';

interface Config {
	n: number;
	baseUrl: string;
	apiKey: string;
	characterUrl: string;
	drivingUrl: string;
}

interface Side {
	mode: Mode;
	n: number;
	ms: number;
	taskIds: string[];
	succeeded: number;
	memory: MemoryFigures;
	problems: string[];
}

// ---- children ----------------------------------------------------------------------------------------------

async function sdkSide(c: Config): Promise<Side> {
	const { default: RunwayML } = await import('@runwayml/sdk');
	const client = new RunwayML({ apiKey: c.apiKey, baseURL: c.baseUrl });
	const mem = memorySampler();
	const t0 = performance.now();
	const settled = await Promise.allSettled(
		Array.from(
			{ length: c.n },
			async () =>
				await client.characterPerformance
					.create({
						model: 'act_two',
						character: { type: 'image', uri: c.characterUrl },
						reference: { type: 'video', uri: c.drivingUrl },
						ratio: '1280:720',
					})
					.waitForTaskOutput(),
		),
	);
	const ms = performance.now() - t0;
	const memory = mem.stop();
	const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
	const problems = settled.flatMap((s) =>
		s.status === 'rejected' ? [String((s.reason as Error)?.message ?? s.reason)] : [],
	);
	return {
		mode: 'sdk',
		n: c.n,
		ms,
		taskIds: done.map((t) => t.id),
		succeeded: done.filter((t) => t.status === 'SUCCEEDED').length,
		memory,
		problems: problems.slice(0, 3),
	};
}

async function nodeSide(c: Config): Promise<Side> {
	const harness = await import('../harness');
	const h = await import('../integration/nodes/helpers');
	await harness.initHarness();
	harness.loadPackage();
	const wf = h.workflow(
		h.items(c.n),
		h.actTwo('runway', {
			resource: 'task',
			operation: 'create',
			characterSource: 'url',
			characterUrl: c.characterUrl,
			drivingSource: 'url',
			drivingUrl: c.drivingUrl,
			ratio: '1280:720',
			waitForCompletion: 'poll',
			options: {
				pollInterval: INTERVAL_S,
				pollJitter: JITTER_S,
				timeoutMinutes: 10,
				concurrency: CONCURRENCY,
			},
		}),
	);
	const mem = memorySampler();
	const t0 = performance.now();
	const result = await harness.runWorkflow(wf, {
		credentials: { runwayApi: { apiKey: c.apiKey, baseUrl: c.baseUrl } },
		timeoutMs: CHILD_TIMEOUT_MS,
	});
	const ms = performance.now() - t0;
	const memory = mem.stop();
	const out = result.status === 'success' ? result.outputs('Act-Two') : [];
	return {
		mode: 'node',
		n: c.n,
		ms,
		taskIds: out.map((i) => String(i.json.taskId)),
		succeeded: out.filter((i) => i.json.status === 'succeeded').length,
		memory,
		problems: result.status === 'success' ? [] : [`run ${result.status}: ${result.error?.message}`],
	};
}

// ---- parent ------------------------------------------------------------------------------------------------

interface Measured extends Side {
	readsPerTask: number[];
	/** Per task: ms from the render's end to the answer that first said so. */
	lateMs: number[];
}

function measure(sim: Simulator, side: Side): Measured {
	const reads = new Map<string, number[]>(side.taskIds.map((id) => [id, []]));
	for (const r of sim.requests()) {
		const m = /^\/runway\/v1\/tasks\/([^/?]+)/.exec(r.path);
		if (r.method === 'GET' && m) reads.get(decodeURIComponent(m[1]))?.push(r.at);
	}
	const ended = new Map(sim.tasks().map((t) => [t.id, t.finishedAt]));
	const lateMs: number[] = [];
	for (const [id, at] of reads) {
		const end = ended.get(id);
		// A read is answered after the added latency, with the task's state at that moment.
		const seen = at
			.map((a) => a + LATENCY_MS)
			.find((a) => end !== null && end !== undefined && a >= end);
		if (seen !== undefined && end) lateMs.push(seen - end);
	}
	return { ...side, readsPerTask: [...reads.values()].map((r) => r.length), lateMs };
}

export async function run(): Promise<BenchOutcome> {
	const sim = await startSimulator({ timing: TIMING });
	sim.faults.add({ provider: 'runway', kind: 'delay', ms: LATENCY_MS });
	const config = (n: number): Config => ({
		n,
		baseUrl: sim.baseUrls.runway,
		apiKey: sim.keys.runway,
		characterUrl: sim.staticUrl('character.png'),
		drivingUrl: sim.staticUrl('driving.mp4'),
	});
	console.log(
		`\n== batch-wait: Act-Two Create + Poll Until Done (n8n-core engine) vs @runwayml/sdk create + waitForTaskOutput() in Promise.all\n` +
			`   render ${TIMING.queuedMs / 1000} s queued + ${TIMING.runningMs / 1000} s running (progress in ${TIMING.progressSteps} steps), ` +
			`+${LATENCY_MS} ms per Runway request, interval ${INTERVAL_S} s, jitter ${JITTER_S} s, node Concurrency ${CONCURRENCY}; ` +
			`both contenders at once, one child process each`,
	);
	const rows: Array<{ n: number; node: Measured; sdk: Measured }> = [];
	const problems: string[] = [];
	try {
		for (const n of SIZES) {
			const [node, sdk] = await Promise.all(
				(['node', 'sdk'] as const).map(
					async (mode) => await runSide<Side>(__filename, mode, config(n), CHILD_TIMEOUT_MS),
				),
			);
			const row = { n, node: measure(sim, node), sdk: measure(sim, sdk) };
			rows.push(row);
			for (const s of [row.node, row.sdk]) {
				if (s.succeeded !== n) problems.push(`${s.mode} N=${n}: ${s.succeeded}/${n} succeeded`);
				problems.push(...s.problems.map((p) => `${s.mode} N=${n}: ${p}`));
				console.log(
					`  ${s.mode.padEnd(4)} N=${String(n).padStart(3)}  wall ${fmtMs(s.ms).padStart(7)}  reads/task median ${median(
						s.readsPerTask,
					)} mean ${(s.readsPerTask.reduce((a, b) => a + b, 0) / n).toFixed(2)}  end seen p95 ${fmtMs(
						quantile(s.lateMs, 0.95),
					)} late  peak RSS ${s.memory.peakRssMiB.toFixed(0)} MiB (+${s.memory.rssAboveFloorMiB.toFixed(1)})`,
				);
			}
		}
	} finally {
		await sim.close();
	}

	const table = rows.flatMap(({ n, node, sdk }) => [
		[String(n), 'wall time', fmtMs(node.ms), fmtMs(sdk.ms), fmtRatio(sdk.ms / node.ms)],
		[
			String(n),
			'status reads per task (median / mean)',
			`${median(node.readsPerTask)} / ${(node.readsPerTask.reduce((a, b) => a + b, 0) / n).toFixed(2)}`,
			`${median(sdk.readsPerTask)} / ${(sdk.readsPerTask.reduce((a, b) => a + b, 0) / n).toFixed(2)}`,
			fmtRatio(median(sdk.readsPerTask) / median(node.readsPerTask)),
		],
		[
			String(n),
			'end seen late, p95 (max)',
			`${fmtMs(quantile(node.lateMs, 0.95))} (${fmtMs(Math.max(...node.lateMs))})`,
			`${fmtMs(quantile(sdk.lateMs, 0.95))} (${fmtMs(Math.max(...sdk.lateMs))})`,
			fmtRatio(quantile(sdk.lateMs, 0.95) / quantile(node.lateMs, 0.95)),
		],
		[
			String(n),
			'peak RSS above floor (floor)',
			`${node.memory.rssAboveFloorMiB.toFixed(1)} MiB (${node.memory.floorRssMiB.toFixed(0)})`,
			`${sdk.memory.rssAboveFloorMiB.toFixed(1)} MiB (${sdk.memory.floorRssMiB.toFixed(0)})`,
			fmtRatio(sdk.memory.rssAboveFloorMiB / node.memory.rssAboveFloorMiB),
		],
	]);
	console.log('');
	console.log(
		`Ratio = SDK / node (above 1: the node is faster, reads less, sees ends sooner, uses less memory). Targets: status reads\n` +
			`per task ≤ 2.0 (median, N=40 and 200) with the end seen ≤ one interval (${INTERVAL_S} s) late at p95; wall time ≤ the SDK's with no more reads.`,
	);
	printTable(['N', 'metric', 'node (ours)', 'SDK', 'ratio'], table);
	for (const p of problems) console.log(`WRONG: ${p}`);

	const summary: SummaryRow[] = rows.flatMap(({ n, node, sdk }) => [
		{
			metric: `wall time, N=${n}`,
			ours: fmtMs(node.ms),
			baseline: fmtMs(sdk.ms),
			ratio: fmtRatio(sdk.ms / node.ms),
			target: 'ratio >= 1',
			met: sdk.ms / node.ms >= 1,
		},
		{
			metric: `status reads/task (median), N=${n}`,
			ours: String(median(node.readsPerTask)),
			baseline: String(median(sdk.readsPerTask)),
			ratio: fmtRatio(median(sdk.readsPerTask) / median(node.readsPerTask)),
			// ≤ 2.0 is the target at N=40 and 200; at every N, no more reads than the SDK.
			...(n >= 40
				? { target: '<= 2.0', met: median(node.readsPerTask) <= 2 }
				: {
						target: '<= SDK',
						met: median(node.readsPerTask) <= median(sdk.readsPerTask),
					}),
		},
		{
			metric: `end seen late (p95), N=${n}`,
			ours: fmtMs(quantile(node.lateMs, 0.95)),
			baseline: fmtMs(quantile(sdk.lateMs, 0.95)),
			ratio: fmtRatio(quantile(sdk.lateMs, 0.95) / quantile(node.lateMs, 0.95)),
			target: `<= ${INTERVAL_S} s`,
			met: quantile(node.lateMs, 0.95) <= INTERVAL_S * 1000,
		},
		...(n !== SIZES[SIZES.length - 1]
			? []
			: [
					{
						metric: `peak RSS above floor, N=${n}`,
						ours: `${node.memory.rssAboveFloorMiB.toFixed(1)} MiB`,
						baseline: `${sdk.memory.rssAboveFloorMiB.toFixed(1)} MiB`,
						ratio: fmtRatio(sdk.memory.rssAboveFloorMiB / node.memory.rssAboveFloorMiB),
					},
				]),
	]);
	return { name: 'batch-wait (vs @runwayml/sdk)', ok: problems.length === 0, problems, summary };
}

const mode = childMode();
if (mode) {
	const c = childConfig<Config>();
	(mode === 'sdk' ? sdkSide(c) : nodeSide(c))
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
