/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * `npm run bench`: runs every benchmark in order and prints a summary. Benchmarks are not tests: nothing here
 * fails on timing or memory figures. The process exits 1 only when a benchmark's RESULT is wrong (a task not
 * finished, stored bytes that differ from the source) or a benchmark could not run.
 */
import { performance } from 'node:perf_hooks';

import { run as batchWait } from './batch-wait.bench';
import { run as downloadMemory } from './download-memory.bench';
import { run as itemOverhead } from './item-overhead.bench';
import { run as runwayUploadMemory } from './runway-upload-memory.bench';
import { run as uploadMemory } from './upload-memory.bench';
import { environment, printTable, type BenchOutcome } from './report';

const BENCHMARKS: Array<{ name: string; run: () => Promise<BenchOutcome> }> = [
	{ name: 'batch-wait', run: batchWait },
	{ name: 'item-overhead', run: itemOverhead },
	{ name: 'download-memory', run: downloadMemory },
	{ name: 'upload-memory', run: uploadMemory },
	{ name: 'runway-upload-memory', run: runwayUploadMemory },
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
	console.log(
		`\n== Summary (${Math.round((performance.now() - started) / 1000)} s in all; ratio = baseline / ours; ${environment()})`,
	);
	printTable(
		['benchmark', 'metric', 'ours', 'baseline', 'ratio', 'result'],
		outcomes.flatMap((o) =>
			(o.summary.length ? o.summary : [{ metric: '-', ours: '-', baseline: '-', ratio: '-' }]).map(
				(s, i) => [
					i === 0 ? o.name : '',
					s.metric,
					s.ours,
					s.baseline,
					s.ratio,
					i === 0 ? (o.ok ? 'correct' : 'WRONG') : '',
				],
			),
		),
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
