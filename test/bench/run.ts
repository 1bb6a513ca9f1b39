/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * `npm run bench`: runs every benchmark in order and prints one summary table (benchmark / metric / ours /
 * baseline / ratio / target / met). Benchmarks are not tests: nothing here fails on timing or memory figures, a
 * missed target is reported, not thrown. The process exits 1 only when a benchmark's RESULT is wrong (a task not
 * finished, stored bytes that differ from the source) or a benchmark could not run.
 * The real-n8n benchmarks (n8n-loop, n8n-intake) build the package and boot an n8n: they run only with
 * ACT_TWO_BENCH_N8N=1 (see n8n.ts) and are listed as skipped otherwise.
 */
import { performance } from 'node:perf_hooks';

import { run as batchWait } from './batch-wait.bench';
import { run as downloadMemory } from './download-memory.bench';
import { run as itemOverhead } from './item-overhead.bench';
import { stopBenchN8n } from './n8n';
import { run as n8nIntake } from './n8n-intake.bench';
import { run as n8nLoop } from './n8n-loop.bench';
import { run as runwayUploadMemory } from './runway-upload-memory.bench';
import { run as uploadMemory } from './upload-memory.bench';
import { environment, printTable, type BenchOutcome } from './report';

const BENCHMARKS: Array<{ name: string; run: () => Promise<BenchOutcome> }> = [
	{ name: 'batch-wait', run: batchWait },
	{ name: 'item-overhead', run: itemOverhead },
	{ name: 'download-memory', run: downloadMemory },
	{ name: 'upload-memory', run: uploadMemory },
	{ name: 'runway-upload-memory', run: runwayUploadMemory },
	{ name: 'n8n-loop', run: n8nLoop },
	{ name: 'n8n-intake', run: n8nIntake },
];

async function main(): Promise<number> {
	const started = performance.now();
	console.log(`Act-Two benchmarks: ${environment()}`);
	const outcomes: BenchOutcome[] = [];
	for (const bench of BENCHMARKS) {
		try {
			outcomes.push(await bench.run());
		} catch (error) {
			console.error(`\n${bench.name} could not run:`, error);
			outcomes.push({
				name: bench.name,
				ok: false,
				problems: [String((error as Error)?.message ?? error)],
				summary: [],
			});
		}
	}
	await stopBenchN8n();
	console.log(
		`\n== Summary (${Math.round((performance.now() - started) / 1000)} s in all; ratio = how many times better ours is: ` +
			`baseline / ours for times, requests and bytes, ours / baseline for rates; ${environment()})`,
	);
	printTable(
		['benchmark', 'metric', 'ours', 'baseline', 'ratio', 'target', 'met'],
		outcomes.flatMap((o) => {
			const name = o.ok ? o.name : `${o.name} (WRONG)`;
			if (o.skipped) return [[name, `skipped: ${o.skipped}`, '', '', '', '', '']];
			if (!o.summary.length) return [[name, '-', '-', '-', '-', '', '']];
			return o.summary.map((s, i) => [
				i === 0 ? name : '',
				s.metric,
				s.ours,
				s.baseline,
				s.ratio,
				s.target ?? '',
				s.met === undefined ? '' : s.met ? 'yes' : 'NO',
			]);
		}),
	);
	const failed = outcomes.filter((o) => !o.ok);
	for (const o of failed) console.log(`\n${o.name} WRONG:\n  ${o.problems.join('\n  ')}`);
	return failed.length ? 1 : 0;
}

main()
	.then((code) => process.exit(code))
	.catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
