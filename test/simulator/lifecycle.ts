/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import type { SimPhase, SimTask, SimTiming } from './types';

export type LifecycleEvent = 'progress' | 'final';

/**
 * Advances tasks with time: queued (queuedMs) -> throttled (throttledMs, skipped when 0) -> running with
 * progressSteps progress updates over runningMs -> succeeded | failed. A 'stuck' task stays running.
 * Every timer is tracked, so clear() leaves nothing behind.
 */
export class Lifecycle {
	private timers = new Map<string, Set<NodeJS.Timeout>>();

	constructor(
		private readonly timing: SimTiming,
		private readonly onChange: (task: SimTask, event: LifecycleEvent) => void,
		/** Whether a task may start running now (concurrency limits); default always. */
		private readonly hasSlot: (task: SimTask) => boolean = () => true,
	) {}

	private key(task: SimTask): string {
		return task.api + '|' + task.id;
	}

	private after(task: SimTask, ms: number, fn: () => void): void {
		const key = this.key(task);
		let set = this.timers.get(key);
		if (!set) {
			set = new Set();
			this.timers.set(key, set);
		}
		const own = set;
		const t = setTimeout(
			() => {
				own.delete(t);
				fn();
			},
			Math.max(0, ms),
		);
		set.add(t);
	}

	private enter(task: SimTask, phase: SimPhase, progress: number): void {
		task.phase = phase;
		task.progress = progress;
		task.updatedAt = Date.now();
		task.phaseStartedAt = task.updatedAt;
	}

	start(task: SimTask): void {
		const { queuedMs, throttledMs } = this.timing;
		this.after(task, queuedMs, () => {
			if (throttledMs > 0) {
				this.enter(task, 'throttled', 0);
				this.onChange(task, 'progress');
			}
			this.after(task, throttledMs, () => this.whenSlotFree(task));
		});
	}

	/** Over the concurrency limit a task waits in THROTTLED until a running task of the same API ends. */
	private whenSlotFree(task: SimTask): void {
		if (this.hasSlot(task)) {
			this.run(task);
			return;
		}
		if (task.phase !== 'throttled') {
			this.enter(task, 'throttled', 0);
			this.onChange(task, 'progress');
		}
		this.after(task, 25, () => this.whenSlotFree(task));
	}

	private run(task: SimTask): void {
		const { runningMs } = this.timing;
		const steps = Math.max(1, Math.floor(this.timing.progressSteps));
		this.enter(task, 'running', 0);
		task.startedAt = task.updatedAt;
		this.onChange(task, 'progress');
		for (let i = 1; i < steps; i++) {
			this.after(task, (runningMs * i) / steps, () => {
				task.progress = Math.round((i / steps) * 100) / 100;
				task.updatedAt = Date.now();
				this.onChange(task, 'progress');
			});
		}
		if (task.outcome === 'stuck') return;
		this.after(task, runningMs, () => this.finish(task));
	}

	private finish(task: SimTask): void {
		if (task.outcome === 'succeed') {
			this.enter(task, 'succeeded', 1);
		} else {
			this.enter(task, 'failed', task.progress);
			task.failure = {
				kind: task.outcome === 'moderation' || task.outcome === 'no_face' ? task.outcome : 'error',
			};
		}
		task.finishedAt = task.updatedAt;
		this.stop(task);
		this.onChange(task, 'final');
	}

	/** Cancels a non-terminal task (its timers stop; no callback is sent). */
	cancel(task: SimTask): void {
		this.stop(task);
		if (isTerminal(task.phase)) return;
		this.enter(task, 'cancelled', task.progress);
		task.failure = { kind: 'cancelled' };
		task.finishedAt = task.updatedAt;
	}

	stop(task: SimTask): void {
		const set = this.timers.get(this.key(task));
		if (set) for (const t of set) clearTimeout(t);
		this.timers.delete(this.key(task));
	}

	clear(): void {
		for (const set of this.timers.values()) for (const t of set) clearTimeout(t);
		this.timers.clear();
	}
}

export function isTerminal(phase: SimPhase): boolean {
	return phase === 'succeeded' || phase === 'failed' || phase === 'cancelled';
}
