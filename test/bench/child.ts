/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * What the memory benchmarks share: one child process per measured mode (so its peak RSS,
 * process.resourceUsage().maxRSS, is its own), the warm-up / floor / measured run / check sequence inside it,
 * and the table comparing the modes.
 */
import { performance } from 'node:perf_hooks';

import type { INodeExecutionData, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { RunResult } from '../harness';
import { compareFile, digest, type FileSpec } from './generated-video';
import { fmtMiB, fmtMs, fmtRatio, printTable, type BenchOutcome } from './report';
import { childConfig, childMode, report, runSide } from './side-by-side';

/** 150 MiB unless ACT_TWO_BENCH_MIB says otherwise. */
export const BIG_BYTES = Math.round(Number(process.env.ACT_TWO_BENCH_MIB ?? 150) * 1024 * 1024);
export const WARM_BYTES = 1024 * 1024;
/** Issues 10 and 12: moving a 150 MiB video costs at most this much above the process floor. */
const TARGET_ABOVE_FLOOR = 64 * 1024 * 1024;

/** What a child reports about its mode. */
export interface MemoryResult {
	mode: string;
	/** maxRSS after the warm-up run (KiB). */
	floorKiB: number;
	/** maxRSS after the measured run (KiB). */
	peakKiB: number;
	ms: number;
	/** What the measured run stored, as read back. */
	stored: FileSpec;
	problems: string[];
}

// -------------------------------------------------------------------------------------------------------------
// Parent side

/**
 * Runs `file` again as `node --import tsx file --child mode`, hands it `config`, and returns what it reports.
 * On Linux a forked process starts with its parent's RSS as its maxRSS and keeps it through exec (the parent
 * of the upload benchmark holds the simulator's stored assets: a child spawned directly reported a floor of
 * 478 MiB before it had done anything). So the child is started by a shell that forks it in turn, from the
 * shell's small memory ("; exit" keeps the shell from exec-ing it in its own place).
 */
export function runChild<R extends MemoryResult>(
	file: string,
	mode: string,
	config: unknown,
	timeoutMs: number,
): Promise<R> {
	return runSide<R>(file, mode, config, timeoutMs, { throughShell: true });
}

/** One line per mode as its child ends. */
export function logResult(r: MemoryResult): void {
	console.log(
		`  ${r.mode.padEnd(8)} floor ${fmtMiB(r.floorKiB * 1024)}  peak ${fmtMiB(r.peakKiB * 1024)}  stored ${r.stored.bytes} bytes in ${fmtMs(r.ms)}`,
	);
}

const aboveFloor = (r: MemoryResult) => (r.peakKiB - r.floorKiB) * 1024;

/** Prints the comparison of our mode with the baseline's and returns the benchmark's outcome. */
export function memoryOutcome(o: {
	name: string;
	source: FileSpec;
	ours: { label: string; result: MemoryResult };
	baseline: { label: string; result: MemoryResult };
	/** Printed under the ratios. */
	note: string;
}): BenchOutcome {
	const ours = o.ours.result;
	const base = o.baseline.result;
	console.log('');
	printTable(
		[
			'run',
			'peak RSS',
			'floor RSS (after warm-up)',
			'peak - floor',
			'bytes stored',
			'equals source',
			'time',
		],
		[o.ours, o.baseline].map(({ label, result: r }) => [
			label,
			fmtMiB(r.peakKiB * 1024),
			fmtMiB(r.floorKiB * 1024),
			fmtMiB(aboveFloor(r)),
			`${r.stored.bytes}`,
			r.problems.length ? 'NO' : 'yes (size + sha256)',
			fmtMs(r.ms),
		]),
	);
	const peakRatio = fmtRatio(base.peakKiB / ours.peakKiB);
	const floorRatio = fmtRatio(aboveFloor(base) / Math.max(aboveFloor(ours), 1));
	const timeRatio = fmtRatio(base.ms / ours.ms);
	console.log(
		`\nSource: ${o.source.bytes} bytes, sha256 ${o.source.sha256.slice(0, 16)}…. Ratio baseline/ours: peak RSS ${peakRatio}, ` +
			`peak above floor ${floorRatio}, time ${timeRatio}.\nTarget: ours at most ${fmtMiB(TARGET_ABOVE_FLOOR)} above the floor: ` +
			`${aboveFloor(ours) <= TARGET_ABOVE_FLOOR ? 'met' : 'NOT met'} (${fmtMiB(aboveFloor(ours))}).\n${o.note}`,
	);
	const problems = [ours, base].flatMap((r) => r.problems.map((p) => `${r.mode}: ${p}`));
	for (const p of problems) console.log(`WRONG: ${p}`);
	const size = fmtMiB(o.source.bytes);
	return {
		name: o.name,
		ok: problems.length === 0,
		problems,
		summary: [
			{
				metric: `peak RSS, ${size} video`,
				ours: fmtMiB(ours.peakKiB * 1024),
				baseline: fmtMiB(base.peakKiB * 1024),
				ratio: peakRatio,
			},
			{
				metric: 'peak RSS above floor',
				ours: fmtMiB(aboveFloor(ours)),
				baseline: fmtMiB(aboveFloor(base)),
				ratio: floorRatio,
				target: `<= ${fmtMiB(TARGET_ABOVE_FLOOR)}`,
				met: aboveFloor(ours) <= TARGET_ABOVE_FLOOR,
			},
			{
				metric: `time, ${size} video`,
				ours: fmtMs(ours.ms),
				baseline: fmtMs(base.ms),
				ratio: timeRatio,
			},
			{
				metric: `bytes stored (source ${o.source.bytes})`,
				ours: String(ours.stored.bytes),
				baseline: String(base.stored.bytes),
				ratio: '-',
			},
		],
	};
}

// -------------------------------------------------------------------------------------------------------------
// Child side

/**
 * In a child: the config runChild handed it, the harness with n8n-core's services and the package loaded
 * (imported here, not at the top, so that the parent never loads it), and the credential of `type` for the
 * provider at `config.baseUrl`, as run options and as the node's reference to it.
 */
export async function childSetup<T extends { apiKey: string; baseUrl: string }>(type: string) {
	const config = childConfig<T>();
	const harness = await import('../harness');
	await harness.initHarness();
	harness.loadPackage();
	return {
		config,
		harness,
		credentials: { [type]: { apiKey: config.apiKey, baseUrl: config.baseUrl } },
		nodeCredentials: { [type]: { id: `bench-${type}`, name: `${type} (bench)` } },
	};
}

/**
 * Runs `once` on the warm-up file (every module and code path loaded), takes maxRSS as the floor, runs it on
 * the big file, takes maxRSS again, then reads each run's stored bytes (`read`) and compares them with the
 * source. `mode` is reported as given; `extra` adds fields to the report.
 */
export async function measureInChild<T>(o: {
	mode: string;
	warm: FileSpec;
	big: FileSpec;
	once: (which: 'warm' | 'big') => Promise<T>;
	read: (out: T) => Promise<AsyncIterable<Uint8Array>>;
	extra?: (big: T, problems: string[]) => Record<string, unknown>;
}): Promise<void> {
	const problems: string[] = [];
	compareFile(
		'warm-up: stored',
		await digest(await o.read(await o.once('warm'))),
		o.warm,
		problems,
	);
	const floorKiB = process.resourceUsage().maxRSS;
	const t0 = performance.now();
	const big = await o.once('big');
	const ms = performance.now() - t0;
	const peakKiB = process.resourceUsage().maxRSS;
	const stored = await digest(await o.read(big));
	compareFile('stored', stored, o.big, problems);
	const result: MemoryResult = { mode: o.mode, floorKiB, peakKiB, ms, stored, problems };
	report({ ...o.extra?.(big, problems), ...result });
}

/** The description of a bench-only node (one main input and output), registered under `bench.<name>`. */
export const benchNodeDescription = (
	name: string,
	description: string,
	extra: Partial<INodeTypeDescription> = {},
): INodeTypeDescription => ({
	displayName: `${name} (bench)`,
	name,
	group: ['transform'],
	version: 1,
	description,
	defaults: { name },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	properties: [],
	...extra,
});

/** The first output item of `node` of a successful run; throws with the run's error otherwise. */
export function firstOutput(result: RunResult, node: string): INodeExecutionData {
	if (result.status !== 'success') {
		throw new Error(
			`workflow ${result.status}: ${result.error?.message ?? ''} ${(result.error as { description?: string })?.description ?? ''}`,
		);
	}
	const item = result.outputs(node)[0];
	if (!item) throw new Error(`no output from "${node}"`);
	return item;
}

/**
 * A benchmark file's entry point: as `--child <mode>` it runs `child(mode)`, run directly it runs the
 * benchmark; imported by run.ts it does nothing.
 */
export function benchEntry(
	mod: NodeJS.Module,
	run: () => Promise<BenchOutcome>,
	child: (mode: string) => Promise<void>,
): void {
	if (require.main !== mod) return;
	const mode = childMode();
	const main =
		mode !== null ? child(mode).then(() => 0) : run().then((outcome) => (outcome.ok ? 0 : 1));
	main
		.then((code) => process.exit(code))
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
}
