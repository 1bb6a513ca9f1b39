/**
 * How often the node reads the status of a batch it waits for (transport/poll-schedule.ts), through the node in
 * n8n-core's engine against the simulator: a provider that reports progress has each render read about when it
 * should end, not every interval; one without progress is read every interval as before. Counted from the
 * simulator's request log, as a provider's rate limiter would count them.
 */
import { runWorkflow } from '../../harness';
import type { Simulator } from '../../simulator';
import {
	actTwo,
	credentials,
	errorText,
	items,
	pairedIndex,
	requests,
	urlInputs,
	withSim,
	workflow,
} from './helpers';

/** A render of 0.3 s queued and 6 s running, its progress reported in 30 steps: six intervals of 1 s. */
const SIX_INTERVALS = { queuedMs: 300, throttledMs: 0, runningMs: 6000, progressSteps: 30 };
const N = 12;

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};

/** Status reads per task, from the simulator's log. */
function readsPerTask(sim: Simulator, provider: 'runway' | 'liangxin', path: RegExp): number[] {
	const count = new Map<string, number>(sim.tasks().map((t) => [t.id, 0]));
	for (const r of requests(sim, provider, 'GET', path)) {
		const id = [...count.keys()].find((k) => r.path.includes(encodeURIComponent(k)));
		if (id) count.set(id, count.get(id)! + 1);
	}
	return [...count.values()];
}

it(
	`Runway (progress): ${N} renders of six intervals are read a median of at most 4 times each, and all end succeeded`,
	() =>
		withSim(
			async (sim) => {
				const result = await runWorkflow(
					workflow(
						items(N),
						actTwo(
							'runway',
							urlInputs(sim, {
								waitForCompletion: 'poll',
								options: { pollInterval: 1, pollJitter: 0, timeoutMinutes: 1, concurrency: 4 },
							}) as never,
						),
					),
					{ credentials: credentials(sim) },
				);
				expect(errorText(result)).toBe('');
				const out = result.outputs('Act-Two');
				expect(out.map(pairedIndex)).toEqual(Array.from({ length: N }, (_, i) => i));
				expect(out.every((i) => i.json.status === 'succeeded')).toBe(true);
				const reads = readsPerTask(sim, 'runway', /\/v1\/tasks\//);
				expect(reads).toHaveLength(N);
				// Reading every interval takes 6 or 7 reads per render here; the schedule 2–3 (4 on a loaded machine,
				// where measured progress rates are noisier).
				expect(median(reads)).toBeLessThanOrEqual(4);
				expect(Math.min(...reads)).toBeGreaterThanOrEqual(1);
			},
			{ timing: SIX_INTERVALS },
		),
	30_000,
);

it(
	'LiangXin (no progress): each render is read about once per interval, as before',
	() =>
		withSim(
			async (sim) => {
				const result = await runWorkflow(
					workflow(
						items(3),
						actTwo(
							'liangxin',
							urlInputs(sim, {
								waitForCompletion: 'poll',
								options: { pollInterval: 1, pollJitter: 0, timeoutMinutes: 1 },
							}) as never,
						),
					),
					{ credentials: credentials(sim) },
				);
				expect(errorText(result)).toBe('');
				expect(result.outputs('Act-Two').every((i) => i.json.status === 'succeeded')).toBe(true);
				const reads = readsPerTask(sim, 'liangxin', /recordInfo/);
				// 6.3 s of render, one read a second from 1 s on: 6 or 7 reads (one more on a slow machine).
				for (const r of reads) expect(r).toBeGreaterThanOrEqual(6);
			},
			{ timing: SIX_INTERVALS },
		),
	30_000,
);
