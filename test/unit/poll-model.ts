/**
 * A virtual-time model of renders for the poll schedule's property tests: each render queues, then runs along
 * a progress curve, and ends (succeeded or failed). pollTasks runs on a virtual clock against it, and the model
 * records every read, so a test can check when each end was seen and how often each task was read.
 */
import type { NormalizedTask, TaskStatus } from '../../nodes/ActTwo/core/types';
import { ProviderError } from '../../nodes/ActTwo/core/errors';
import { pollTasks, type PollClock, type PollOptions } from '../../nodes/ActTwo/transport/poll';
import { rng } from '../support/rng';

export { rng };

export type Rng = ReturnType<typeof rng>;

export interface Render {
	/** When it starts running (ms after the poll began). */
	startAt: number;
	/** Breakpoints of its progress curve while running: [ms after start, progress], from [0, 0] to [duration, 1]. */
	curve: Array<[number, number]>;
	/** How progress is reported: 'exact', floored to a step (e.g. 0.01 or 0.25), or not at all. */
	report: { kind: 'exact' } | { kind: 'step'; step: number } | { kind: 'none' };
	/** Ends failed at this share of its run instead of succeeding. */
	failsAt?: number;
	/** Reads answer a transient error (with this Retry-After, ms) during these windows [from, to). */
	outages?: Array<{ from: number; to: number; retryAfterMs: number | null }>;
}

export const durationOf = (r: Render) => r.curve[r.curve.length - 1][0];
export const endOf = (r: Render) =>
	r.startAt + (r.failsAt === undefined ? durationOf(r) : r.failsAt * durationOf(r));

function progressAt(r: Render, ms: number): number {
	for (let k = 1; k < r.curve.length; k++) {
		const [t1, p1] = r.curve[k];
		const [t0, p0] = r.curve[k - 1];
		if (ms <= t1) return t1 === t0 ? p1 : p0 + ((p1 - p0) * (ms - t0)) / (t1 - t0);
	}
	return 1;
}

/**
 * A progress curve of `duration` ms in `segments` pieces whose rates stay within `spread` (max/min) of each
 * other: 1 is a straight line.
 */
export function curve(
	g: Rng,
	duration: number,
	segments: number,
	spread: number,
): Array<[number, number]> {
	const times = [0, ...Array.from({ length: segments - 1 }, () => g.next()).sort(), 1].map(
		(x) => x * duration,
	);
	const rates = times.slice(1).map(() => Math.exp(g.between(0, Math.log(spread))));
	const total = rates.reduce((s, r, k) => s + r * (times[k + 1] - times[k]), 0);
	let p = 0;
	const out: Array<[number, number]> = [[0, 0]];
	for (let k = 0; k < rates.length; k++) {
		p += (rates[k] * (times[k + 1] - times[k])) / total;
		out.push([times[k + 1], Math.min(1, p)]);
	}
	out[out.length - 1] = [duration, 1];
	return out;
}

export interface Outcome {
	/** Per task: the read times (ms after the poll began). */
	reads: number[][];
	/** Per task: when its end was first seen, or null. */
	seenAt: Array<number | null>;
	results: Awaited<ReturnType<typeof pollTasks>>;
	/** When pollTasks returned. */
	returnedAt: number;
}

function statusAt(r: Render, ms: number): { status: TaskStatus; progress: number | null } {
	if (ms < r.startAt) return { status: 'queued', progress: 0 };
	if (ms >= endOf(r))
		return { status: r.failsAt === undefined ? 'succeeded' : 'failed', progress: null };
	const p = progressAt(r, ms - r.startAt);
	const reported =
		r.report.kind === 'none'
			? null
			: r.report.kind === 'exact'
				? p
				: Math.floor(p / r.report.step + 1e-9) * r.report.step;
	return { status: 'running', progress: reported };
}

const task = (i: number, status: TaskStatus, progress: number | null): NormalizedTask => ({
	provider: 'runway',
	model: 'act_two',
	taskId: `t${i}`,
	status,
	progress,
	outputs: status === 'succeeded' ? [{ url: `https://example.com/${i}.mp4` }] : [],
	error: null,
	createdAt: null,
	updatedAt: null,
	replyRef: null,
	cost: null,
	raw: {},
});

/** Runs pollTasks on a virtual clock against `renders` (a read takes no time). */
export async function simulate(
	renders: Render[],
	options: Omit<PollOptions, 'clock' | 'concurrency'> & { concurrency?: number },
): Promise<Outcome> {
	let now = 0;
	const clock: PollClock = {
		now: () => now,
		sleep: async (ms) => {
			now += Math.max(0, ms);
		},
	};
	const reads: number[][] = renders.map(() => []);
	const seenAt: Array<number | null> = renders.map(() => null);
	const results = await pollTasks(
		renders.map((_, i) => task(i, 'queued', 0)),
		async (t) => {
			const i = Number(t.taskId.slice(1));
			const at = now;
			reads[i].push(at);
			const r = renders[i];
			const outage = r.outages?.find((o) => at >= o.from && at < o.to);
			if (outage)
				throw new ProviderError(
					'runway',
					{ code: '503', message: 'busy', category: 'provider', retryable: true },
					503,
					null,
					outage.retryAfterMs,
				);
			const s = statusAt(r, at);
			if ((s.status === 'succeeded' || s.status === 'failed') && seenAt[i] === null) seenAt[i] = at;
			return task(i, s.status, s.progress);
		},
		{ concurrency: 8, ...options, clock },
	);
	return { reads, seenAt, results, returnedAt: now };
}

export const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const quantile = (xs: number[], q: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
