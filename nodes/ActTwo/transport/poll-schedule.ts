import type { NormalizedTask } from '../core/types';

/**
 * When to read each task of a batch again. Without progress from the provider a task is read every interval
 * (made up to `jitterMs` earlier at random). With progress, a running render is read when its progress says it
 * should have ended: its rate is measured between two of its reads (until then it is borrowed from the batch,
 * when the renders measured so far agree on one; a few "scouts" are read first to measure it), and the read is
 * placed just after the forecast end, but never later than one interval after the earliest end the forecast
 * allows if the render sped up by RATE_MARGIN. A queued task cannot end before a whole render has run, so once
 * the batch knows how long a render takes, it is read about then (at least every few intervals).
 *
 * Within that model (renders of a batch progressing at rates within RATE_MARGIN of each other, progress rounded
 * down to any step) every end is seen at most one interval late; outside it (a render that jumps to its end, a
 * failure mid-run) a task still goes unread at most MAX_GAP_INTERVALS intervals. test/unit/poll-schedule.test.ts
 * checks both.
 */
export interface ScheduleOptions {
	intervalMs: number;
	jitterMs: number;
	/** Reading right away (false) or one interval after `start` (true: the tasks were just created). */
	initialDelay: boolean;
	random?: () => number;
}

/** How much faster than its measured rate a render may go on: the forecast's safety margin. */
export const RATE_MARGIN = 1.15;
/** Whatever its forecast, a task is read at least once every this many intervals. */
export const MAX_GAP_INTERVALS = 10;
/** A forecast read comes this share of an interval after the forecast end. */
export const END_MARGIN = 0.3;
/** A queued task is read at least once every this many intervals (it may start, and fail, at any time). */
export const MAX_QUEUED_GAP_INTERVALS = 3;
/** Reads due within this share of an interval are made together. */
export const COALESCE = 0.05;
/** While the batch has no measured rate, this share of the due running tasks is read first... */
const SCOUT_SHARE = 0.1;
/** ...and at least this many: a batch lends its rate only when this many renders agree on it. */
const MIN_SCOUTS = 5;
/** Renders whose measured rates differ by at most this factor (beyond rounding) are taken to run alike. */
const CONSISTENT = 1.05;

interface Sample {
	at: number;
	progress: number;
}

/** A render's rate (progress per ms): the best guess and the range its reads allow. */
interface Rate {
	mid: number;
	fast: number;
	slow: number;
}

interface BatchRates {
	/** See progressStep(). */
	step: number;
	rate: Rate | null;
	/** How many renders have their own rate. */
	measured: number;
}

interface Track {
	open: boolean;
	lastReadAt: number;
	/** The gap used when nothing better is known, drawn at the last read (interval minus jitter). */
	baseGap: number;
	/** Not before this time (a Retry-After). */
	notBefore: number;
	/** The last time the task was known not to be running yet. */
	queuedAt: number | null;
	firstRun: Sample | null;
	lastRun: Sample | null;
	/** The progress the read before the last one reported. */
	prevProgress: number | null;
	/** The last read came sooner than the base gap (a forecast end): the next one may not. */
	cameEarly: boolean;
	status: NormalizedTask['status'] | null;
}

const progressOf = (task: NormalizedTask): number | null =>
	typeof task.progress === 'number' && Number.isFinite(task.progress)
		? Math.min(1, Math.max(0, task.progress))
		: null;

export class PollSchedule {
	private readonly tracks: Track[];
	private readonly random: () => number;
	private scouted = false;
	/** What the batch has measured, until the next read changes it. */
	private measured: BatchRates | null = null;

	constructor(
		open: boolean[],
		start: number,
		private readonly options: ScheduleOptions,
	) {
		this.random = options.random ?? Math.random;
		this.tracks = open.map((isOpen) => ({
			open: isOpen,
			// The poll's start counts as a read: the first real one comes a base gap later (none without a delay).
			lastReadAt: start,
			baseGap: options.initialDelay ? this.drawGap() : 0,
			notBefore: 0,
			// Just created, so not running before the poll began (were one running already, its rate would only be
			// over-estimated: it is read earlier, never later).
			queuedAt: options.initialDelay ? start : null,
			firstRun: null,
			lastRun: null,
			prevProgress: null,
			cameEarly: false,
			status: null,
		}));
	}

	private drawGap(): number {
		const { intervalMs, jitterMs } = this.options;
		return Math.max(0, intervalMs - this.random() * Math.min(jitterMs, intervalMs));
	}

	openCount(): number {
		return this.tracks.filter((t) => t.open).length;
	}

	/** A successful read of task i at `at`. */
	observe(i: number, at: number, task: NormalizedTask, terminal: boolean): void {
		const t = this.tracks[i];
		this.measured = null;
		t.cameEarly = at - t.lastReadAt < t.baseGap - COALESCE * this.options.intervalMs;
		t.prevProgress = t.lastRun && t.lastRun.at === t.lastReadAt ? t.lastRun.progress : null;
		t.lastReadAt = at;
		t.baseGap = this.drawGap();
		t.notBefore = 0;
		t.status = task.status;
		if (terminal) {
			t.open = false;
			return;
		}
		const progress = progressOf(task);
		if (task.status === 'queued') {
			t.queuedAt = at;
			return;
		}
		if (task.status !== 'running' || progress === null) return;
		const sample = { at, progress };
		// A progress that went back (a restarted render) starts the measurement again.
		if (!t.firstRun || !t.lastRun || progress < t.lastRun.progress) t.firstRun = sample;
		t.lastRun = sample;
	}

	/** A failed read of task i that is to be tried again; a Retry-After holds the next read back. */
	observeError(i: number, at: number, retryAfterMs: number | null): void {
		const t = this.tracks[i];
		t.cameEarly = false;
		t.prevProgress = null;
		t.lastReadAt = at;
		t.baseGap = this.drawGap();
		t.notBefore = retryAfterMs && retryAfterMs > 0 ? at + retryAfterMs : 0;
	}

	close(i: number): void {
		this.tracks[i].open = false;
	}

	/**
	 * The smallest step between progress values the batch has reported: reported progress may be rounded down
	 * to a step (e.g. whole percents), so each value may lag the truth by up to one step.
	 */
	private progressStep(): number {
		const values = new Set<number>();
		for (const t of this.tracks) {
			if (t.firstRun) values.add(t.firstRun.progress);
			if (t.lastRun) values.add(t.lastRun.progress);
		}
		const sorted = [...values].sort((a, b) => a - b);
		let step = sorted.length > 1 ? 1 : 0;
		for (let k = 1; k < sorted.length; k++) step = Math.min(step, sorted[k] - sorted[k - 1]);
		return step;
	}

	/** The rates (progress per ms) task i's own reads allow: between its first and last running reads. */
	private ownRate(t: Track, step: number): Rate | null {
		if (!t.firstRun || !t.lastRun) return null;
		const dp = t.lastRun.progress - t.firstRun.progress;
		const dt = t.lastRun.at - t.firstRun.at;
		if (!(dp > 0 && dt > 0)) return null;
		return { mid: dp / dt, fast: (dp + step) / dt, slow: Math.max(0, dp - step) / dt };
	}

	/**
	 * The rate a render without its own measurement is forecast at: only when at least MIN_SCOUTS renders of the
	 * batch were measured and all of them are consistent with one rate (within CONSISTENT); a batch whose renders
	 * run at different speeds lends nothing, and each render is measured on its own.
	 */
	private batchRates(step: number): BatchRates {
		const rates: Rate[] = [];
		for (const t of this.tracks) {
			const r = this.ownRate(t, step);
			if (r !== null) rates.push(r);
		}
		const slow = Math.max(...rates.map((r) => r.slow));
		const fast = Math.min(...rates.map((r) => r.fast));
		if (rates.length < MIN_SCOUTS || slow > fast * CONSISTENT)
			return { step, rate: null, measured: rates.length };
		const mids = rates.map((r) => r.mid).sort((a, b) => a - b);
		return {
			step,
			rate: { mid: mids[Math.floor((mids.length - 1) / 2)], fast: Math.max(fast, slow), slow },
			measured: rates.length,
		};
	}

	private batch(): BatchRates {
		this.measured ??= this.batchRates(this.progressStep());
		return this.measured;
	}

	/** When task i should be read next, with what the batch knows now. */
	plannedAt(i: number, batch = this.batch()): number {
		const t = this.tracks[i];
		const interval = this.options.intervalMs;
		let base = t.lastReadAt + t.baseGap;
		let at = base;
		if (t.lastRun && t.status === 'running') {
			// A forecast read that found the render still advancing may be followed by one sooner than the
			// interval: the end is near, and that read is one the interval would have made later anyway.
			const advancing = t.prevProgress !== null && t.lastRun.progress > t.prevProgress;
			if (advancing && !t.cameEarly && t.lastRun.at === t.lastReadAt)
				base = t.lastReadAt + Math.min(t.baseGap, END_MARGIN * interval);
			const rate = this.ownRate(t, batch.step) ?? batch.rate;
			if (rate !== null) {
				// Running since queuedAt at the earliest: its mean rate so far is at least this.
				const floor =
					t.queuedAt !== null && t.lastRun.at > t.queuedAt
						? t.lastRun.progress / (t.lastRun.at - t.queuedAt)
						: 0;
				const mid = Math.max(rate.mid, floor);
				const fast = Math.max(rate.fast, floor);
				const left = 1 - t.lastRun.progress;
				const forecast = Math.max(0, left - batch.step / 2) / mid + END_MARGIN * interval;
				const latest = Math.max(0, left - batch.step) / (fast * RATE_MARGIN) + interval;
				at = t.lastRun.at + Math.min(forecast, latest);
			}
		} else if (t.status === 'queued' && batch.rate !== null) {
			// A whole render has to run before it can end: read it about when the fastest render would have.
			at =
				t.lastReadAt +
				Math.min(
					1 / (batch.rate.fast * RATE_MARGIN) + interval,
					MAX_QUEUED_GAP_INTERVALS * interval,
				);
		}
		at = Math.min(Math.max(at, base), t.lastReadAt + MAX_GAP_INTERVALS * interval);
		return Math.max(at, t.notBefore);
	}

	/** When the next read is due (Infinity when every task has ended). */
	nextWake(): number {
		const batch = this.batch();
		let next = Infinity;
		for (let i = 0; i < this.tracks.length; i++)
			if (this.tracks[i].open) next = Math.min(next, this.plannedAt(i, batch));
		return next;
	}

	/**
	 * The tasks to read now. While no render of the batch has a measured rate, only a few of the due running
	 * tasks are read first (scouts); the caller then asks again, and the others are planned with the rate the
	 * scouts brought back, most of them no longer due.
	 */
	due(now: number): number[] {
		const batch = this.batch();
		const slack = COALESCE * this.options.intervalMs;
		const due: number[] = [];
		for (let i = 0; i < this.tracks.length; i++) {
			const t = this.tracks[i];
			// Reads due a moment later are made now, but never before a Retry-After has passed.
			if (t.open && t.notBefore <= now && this.plannedAt(i, batch) <= now + slack) due.push(i);
		}
		if (batch.rate !== null || batch.measured >= MIN_SCOUTS || this.scouted) {
			this.scouted = false;
			return due;
		}
		const measurable = due.filter((i) => {
			const t = this.tracks[i];
			return t.status === 'running' && t.lastRun !== null;
		});
		const scouts = Math.max(MIN_SCOUTS, Math.ceil(measurable.length * SCOUT_SHARE));
		if (measurable.length <= scouts) return due;
		this.scouted = true;
		return measurable.slice(0, scouts);
	}

	/** Every open task (the last read at the deadline). */
	allOpen(): number[] {
		return this.tracks.flatMap((t, i) => (t.open ? [i] : []));
	}
}
