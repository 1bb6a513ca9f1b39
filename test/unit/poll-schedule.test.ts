/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Seeded property tests of the batch poll schedule (transport/poll-schedule.ts) through the real pollTasks loop
 * on a virtual clock (test/unit/poll-model.ts): random batches of renders with random queue times, progress
 * curves, rounding of the reported progress, failures, read outages with Retry-After and providers without
 * progress. What is checked:
 * - always: no task is read more often than the interval minus its jitter allows, except one read sooner (never
 *   sooner than END_MARGIN of an interval) when its forecast end is near, and never two such in a row; none
 *   goes unread longer than MAX_GAP_INTERVALS intervals (or a Retry-After, which is always waited out), so
 *   every end is seen within that;
 *   the timeout is exact;
 * - within the forecast's model (the renders of a batch progress at rates within RATE_MARGIN of each other, the
 *   reported progress rounded down to any step): every end is seen at most one interval after it happens;
 * - mixed batches (renders of different lengths): the batch lends no rate by chance, the p95 lateness stays
 *   within one interval;
 * - the batches the benchmark runs (renders of about five intervals, alike): a median of at most 2 status
 *   reads per render, where reading every interval takes about 6.
 * POLL_SEED=<n> replays another seed; a failure names the seed and the case.
 */
import {
	COALESCE,
	END_MARGIN,
	MAX_GAP_INTERVALS,
	RATE_MARGIN,
} from '../../nodes/ActTwo/transport/poll-schedule';
import { curve, endOf, median, quantile, rng, simulate, type Render, type Rng } from './poll-model';

const SEED = Number(process.env.POLL_SEED ?? 20261201);
const CASES = 100;

const REPORTS: Render['report'][] = [
	{ kind: 'exact' },
	{ kind: 'step', step: 0.01 },
	{ kind: 'step', step: 1 / 30 },
	{ kind: 'step', step: 0.05 },
	{ kind: 'step', step: 0.25 },
];

interface Case {
	n: number;
	intervalMs: number;
	jitterMs: number;
	initialDelay: boolean;
	concurrency: number;
}

function randomCase(g: Rng): Case {
	const intervalMs = g.pick([300, 1000, 6000, 10_000]);
	return {
		n: 1 + g.int(g.next() < 0.2 ? 200 : 40),
		intervalMs,
		jitterMs: g.pick([0, 0.1, 0.25, 0.5, 1]) * intervalMs,
		initialDelay: g.next() < 0.7,
		concurrency: g.pick([1, 2, 4, 8, 20]),
	};
}

/** A batch inside the forecast's model: every render's rate within [r, r * RATE_MARGIN] for one r. */
function modelBatch(g: Rng, c: Case): Render[] {
	const fastest = g.between(2, 40) * c.intervalMs; // the shortest possible render
	const report = g.pick(REPORTS);
	return Array.from({ length: c.n }, () => {
		const segments = 1 + g.int(6);
		// A curve of rates within RATE_MARGIN, stretched so its mean rate stays within the batch's band.
		const speed = g.between(1, RATE_MARGIN ** 0.5);
		const shape = curve(g, 1, segments, RATE_MARGIN ** 0.5);
		const duration = fastest * speed * RATE_MARGIN ** 0.5;
		return {
			startAt: g.next() < 0.5 ? 0 : g.between(0, 8 * c.intervalMs),
			curve: shape.map(([t, p]) => [t * duration, p] as [number, number]),
			report,
		};
	});
}

/** Anything: renders of any length and speed in one batch, jumps, failures, outages, no progress. */
function wildBatch(g: Rng, c: Case): Render[] {
	const withProgress = g.next() < 0.8;
	return Array.from({ length: c.n }, () => {
		const duration = g.between(0.1, 60) * c.intervalMs;
		const r: Render = {
			startAt: g.next() < 0.3 ? 0 : g.between(0, 20 * c.intervalMs),
			curve: curve(g, duration, 1 + g.int(8), g.pick([1, 2, 10, 1000])),
			report: withProgress ? g.pick(REPORTS) : { kind: 'none' },
		};
		if (g.next() < 0.15) r.failsAt = g.next();
		if (g.next() < 0.15) {
			const from = g.between(0, 30 * c.intervalMs);
			r.outages = [
				{
					from,
					to: from + g.between(0, 5) * c.intervalMs,
					retryAfterMs: g.next() < 0.5 ? null : g.between(0, 3) * c.intervalMs,
				},
			];
		}
		return r;
	});
}

const describeCase = (seed: number, k: number, c: Case) =>
	`POLL_SEED=${seed} case ${k}: ${JSON.stringify(c)}`;

describe('poll schedule (seeded property tests)', () => {
	it('within the model, every end is seen at most one interval after it happens', async () => {
		const g = rng(SEED);
		for (let k = 0; k < CASES; k++) {
			const c = randomCase(g);
			const renders = modelBatch(g, c);
			const o = await simulate(renders, {
				...c,
				timeoutMs: 1e9,
				random: g.next,
			});
			renders.forEach((r, i) => {
				const late = (o.seenAt[i] ?? Infinity) - endOf(r);
				if (!(late <= c.intervalMs))
					throw new Error(
						`${describeCase(SEED, k, c)}: task ${i} seen ${late} ms after its end (reads ${o.reads[i].map(Math.round).join(', ')}; ends ${Math.round(endOf(r))})`,
					);
			});
		}
	});

	it('always: reads never closer than the interval minus jitter (but for single reads at a near forecast end), never further apart than MAX_GAP_INTERVALS (or a Retry-After); every end seen', async () => {
		const g = rng(SEED + 1);
		for (let k = 0; k < CASES; k++) {
			const c = randomCase(g);
			const renders = wildBatch(g, c);
			const o = await simulate(renders, { ...c, timeoutMs: 1e9, random: g.next });
			const slack = COALESCE * c.intervalMs + 1e-6;
			const minGap = c.intervalMs - Math.min(c.jitterMs, c.intervalMs) - slack;
			const shortest = Math.min(minGap, END_MARGIN * c.intervalMs - slack);
			renders.forEach((r, i) => {
				const reads = o.reads[i];
				const fail = (what: string) => {
					throw new Error(
						`${describeCase(SEED + 1, k, c)}: task ${i} ${what} (reads ${reads.map(Math.round).join(', ')}; ends ${Math.round(endOf(r))})`,
					);
				};
				if (o.seenAt[i] === null) fail('never seen ending');
				if (c.initialDelay && reads[0] < minGap) fail('read before one interval');
				for (let k2 = 1; k2 < reads.length; k2++) {
					const gap = reads[k2] - reads[k2 - 1];
					if (gap < shortest) fail(`read again after ${gap} ms`);
					if (gap < minGap && k2 >= 2 && reads[k2 - 1] - reads[k2 - 2] < minGap)
						fail(`read early twice in a row (${gap} ms)`);
					const retryAfter = Math.max(
						0,
						...(r.outages ?? [])
							.filter((x) => reads[k2 - 1] >= x.from && reads[k2 - 1] < x.to)
							.map((x) => x.retryAfterMs ?? 0),
					);
					if (gap > Math.max(MAX_GAP_INTERVALS * c.intervalMs, retryAfter) + 1e-6)
						fail(`left unread for ${gap} ms`);
					if (gap < retryAfter - 1e-6)
						fail(`read ${gap} ms after a Retry-After of ${retryAfter} ms`);
				}
				const seen = o.seenAt[i]!;
				if (reads.some((at) => at > seen)) fail('read after its end was seen');
			});
		}
	});

	it('mixed batches (renders of 0.5-1.5x a length, speed varying): p95 lateness per batch ≤ one interval, no rate lent by chance', async () => {
		const g = rng(SEED + 3);
		for (let k = 0; k < 40; k++) {
			const c = { ...randomCase(g), n: 20 + g.int(60) };
			const length = g.between(4, 20) * c.intervalMs;
			const report = g.pick(REPORTS.slice(0, 3));
			const renders: Render[] = Array.from({ length: c.n }, () => ({
				startAt: g.next() < 0.5 ? 0 : g.between(0, 3 * c.intervalMs),
				curve: curve(g, length * g.between(0.5, 1.5), 4, 1.1),
				report,
			}));
			const o = await simulate(renders, { ...c, timeoutMs: 1e9, random: g.next });
			const late = quantile(
				renders.map((r, i) => o.seenAt[i]! - endOf(r)),
				0.95,
			);
			if (!(late <= c.intervalMs))
				throw new Error(`${describeCase(SEED + 3, k, c)}: p95 lateness ${late} ms`);
		}
	});

	it('the timeout is exact: at the deadline every open task is read once more, and the poll returns', async () => {
		const g = rng(SEED + 2);
		for (let k = 0; k < 40; k++) {
			const c = randomCase(g);
			const timeoutMs = g.between(0.5, 20) * c.intervalMs;
			const renders = wildBatch(g, c).map((r) => ({ ...r, outages: undefined }));
			const o = await simulate(renders, { ...c, timeoutMs, random: g.next });
			const open = renders.map((r, i) => i).filter((i) => o.seenAt[i] === null);
			if (open.length === 0) continue;
			expect([describeCase(SEED + 2, k, c), o.returnedAt]).toEqual([
				describeCase(SEED + 2, k, c),
				timeoutMs,
			]);
			for (const i of open) {
				expect(o.reads[i].at(-1)).toBe(timeoutMs);
				expect(o.results[i].kind).toBe('timeout');
			}
		}
	});

	it.each([40, 200])(
		'N=%i alike renders of about five intervals: median status reads per render ≤ 2, p95 lateness ≤ one interval',
		async (n) => {
			const g = rng(SEED + n);
			for (const report of [{ kind: 'exact' }, { kind: 'step', step: 1 / 30 }] as const) {
				const I = 6000;
				const renders: Render[] = Array.from({ length: n }, () => ({
					startAt: 3000 + g.between(0, 200),
					curve: [
						[0, 0],
						[30_000, 1],
					],
					report,
				}));
				const o = await simulate(renders, {
					intervalMs: I,
					jitterMs: 1500,
					timeoutMs: 600_000,
					initialDelay: true,
					concurrency: 20,
					random: g.next,
				});
				const late = renders.map((r, i) => o.seenAt[i]! - endOf(r));
				expect(median(o.reads.map((r) => r.length))).toBeLessThanOrEqual(2);
				expect(quantile(late, 0.95)).toBeLessThanOrEqual(I);
			}
		},
	);

	it('without progress from the provider, a running render is read every interval (minus jitter), as before', async () => {
		const renders: Render[] = [
			{
				startAt: 0,
				curve: [
					[0, 0],
					[10_000, 1],
				],
				report: { kind: 'none' },
			},
		];
		const o = await simulate(renders, {
			intervalMs: 1000,
			jitterMs: 0,
			timeoutMs: 60_000,
			initialDelay: true,
		});
		expect(o.reads[0]).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
	});
});
