import { sleep } from 'n8n-workflow';

import { ProviderError } from '../core/errors';
import type { ApiClient, NormalizedTask } from '../core/types';
import { withoutCreateRetries } from './http';
import { mapWithConcurrency } from '../core/limit';
import { isTerminal } from './poll';
import { settle } from '../core/settle';

export interface CapacityOptions {
	/** How long one item may wait in all for a free render slot; 0 = no waiting (the transport's quick retries). */
	maxWaitMs: number;
	/** How often this node's own unfinished renders are read while an item waits. */
	checkEveryMs: number;
	/** How many of those reads run at once (the node's Concurrency). */
	concurrency: number;
	signal?: AbortSignal;
	/** Reads one render's status; `deadline` (epoch ms) ends its retries. */
	read: (task: NormalizedTask, deadline: number) => Promise<NormalizedTask>;
}

/** Without a Retry-After, a busy answer is tried again after 10–30 s, as useapi.net advises. */
export const DEFAULT_WAIT_MS: readonly [number, number] = [10_000, 30_000];
/** At most this many of the node's own renders are read per check (the oldest, which end first). */
const READS_PER_CHECK = 10;

export const defaultWaitMs = (random = Math.random()): number =>
	DEFAULT_WAIT_MS[0] + random * (DEFAULT_WAIT_MS[1] - DEFAULT_WAIT_MS[0]);

/**
 * A create answered 429: the provider started nothing (account busy, rate or quota limit). The only create
 * answer that may be tried again; after a 5xx or a lost connection the render may exist.
 */
export function isBusyAnswer(error: unknown): error is ProviderError {
	return (
		error instanceof ProviderError &&
		error.detail.category === 'rate_limited' &&
		(error.httpCode === 429 || error.detail.code === '429')
	);
}

const minutes = (ms: number) =>
	ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${+(ms / 60_000).toFixed(1)} min`;

/** The wait for a free slot ran out: the item fails as rate_limited, saying how long it waited and what to do. */
export class CapacityError extends ProviderError {
	constructor(
		busy: ProviderError,
		readonly waitedMs: number,
		ownRunning: number,
		tries: number,
		/** How long an earlier item of this run waited in vain (this one then fails at its first busy answer). */
		earlierWaitMs?: number,
	) {
		super(
			busy.provider,
			{
				code: busy.detail.code,
				message: `${earlierWaitMs === undefined ? `No free render slot after waiting ${minutes(waitedMs)} (${tries} tries)` : `No free render slot: an earlier item already waited ${minutes(earlierWaitMs)} in vain`}: the provider still answers "${busy.message}"; ${ownRunning} render${ownRunning === 1 ? '' : 's'} this node started ${ownRunning === 1 ? 'was' : 'were'} still running`,
				category: 'rate_limited',
				retryable: true,
			},
			busy.httpCode,
			busy.responseBody,
			busy.retryAfterMs,
		);
	}

	override get description(): string {
		return `Nothing was started for this item, so nothing was billed. The account runs as many renders as it may at once. Raise its limit (useapi.net: Max Jobs on the account or in Generation Options; Runway: a higher usage tier, or wait for the daily quota), raise the option "Max Wait for Capacity (Minutes)", or send fewer items per execution. (category: rate_limited, code: ${this.detail.code})`;
	}
}

/**
 * Lets creates wait for account capacity. A create answered 429 waits — Retry-After when the provider gives
 * one, else 10–30 s — and is tried again sooner when one of the renders this node started ends (they are read
 * every `checkEveryMs` while anyone waits). An item waits at most `maxWaitMs` in all, then fails with a
 * CapacityError. One gate per run of the node, shared by its items.
 */
export class CapacityGate {
	/** The client for creates: its creates are not retried by the transport, the gate handles their 429s. */
	readonly client: ApiClient;
	private readonly running: NormalizedTask[] = [];
	private readonly waiters: AbortController[] = [];
	private watcher: AbortController | undefined;
	/**
	 * Set when an item's wait ran out, cleared by the next create that starts a render: until then a busy
	 * answer fails at once, so a batch under Continue On Fail does not wait the full time once per item.
	 */
	private gaveUpAfterMs: number | undefined;

	constructor(
		client: ApiClient,
		private readonly options: CapacityOptions,
	) {
		this.client = options.maxWaitMs > 0 ? withoutCreateRetries(client) : client;
	}

	/** A render this node started: when it ends, a slot is free again. */
	track(task: NormalizedTask): void {
		if (isTerminal(task)) return;
		this.running.push(task);
		if (this.waiters.length > 0) this.watch();
	}

	/** Runs a create, waiting for a free slot while the provider answers 429. Returns how long it waited. */
	async create<T>(attempt: () => Promise<T>): Promise<{ value: T; waitedMs: number }> {
		let firstBusyAt: number | undefined;
		for (let tries = 1; ; tries++) {
			const startedAt = Date.now();
			const outcome = await settle(attempt());
			if (outcome.ok) {
				this.gaveUpAfterMs = undefined;
				return {
					value: outcome.value,
					waitedMs: firstBusyAt === undefined ? 0 : startedAt - firstBusyAt,
				};
			}
			const error = outcome.error;
			if (this.options.maxWaitMs <= 0 || !isBusyAnswer(error)) throw error;
			firstBusyAt ??= startedAt;
			const now = Date.now();
			if (this.gaveUpAfterMs !== undefined)
				throw new CapacityError(
					error,
					now - firstBusyAt,
					this.running.length,
					tries,
					this.gaveUpAfterMs,
				);
			const remaining = firstBusyAt + this.options.maxWaitMs - now;
			if (remaining <= 0) {
				this.gaveUpAfterMs = now - firstBusyAt;
				throw new CapacityError(error, now - firstBusyAt, this.running.length, tries);
			}
			await this.waitForSlot(Math.min(error.retryAfterMs ?? defaultWaitMs(), remaining));
		}
	}

	/** Sleeps `ms`, or less when one of this node's renders ends; a cancel rejects. */
	private async waitForSlot(ms: number): Promise<void> {
		const waiter = new AbortController();
		this.waiters.push(waiter);
		this.watch();
		const signal = this.options.signal
			? AbortSignal.any([this.options.signal, waiter.signal])
			: waiter.signal;
		const slept = await settle(sleep(ms, signal));
		const at = this.waiters.indexOf(waiter);
		if (at >= 0) this.waiters.splice(at, 1);
		if (this.waiters.length === 0) this.watcher?.abort();
		if (!slept.ok && this.options.signal?.aborted) throw slept.error;
	}

	/** Reads the node's own unfinished renders while anyone waits; each one that ended wakes one waiter. */
	private watch(): void {
		if ((this.watcher && !this.watcher.signal.aborted) || this.running.length === 0) return;
		const stop = new AbortController();
		this.watcher = stop;
		const signal = this.options.signal
			? AbortSignal.any([this.options.signal, stop.signal])
			: stop.signal;
		void this.watchLoop(signal).finally(() => {
			if (this.watcher === stop) this.watcher = undefined;
		});
	}

	private async watchLoop(signal: AbortSignal): Promise<void> {
		const { checkEveryMs, concurrency, read } = this.options;
		while (this.waiters.length > 0 && this.running.length > 0) {
			if (!(await settle(sleep(checkEveryMs, signal))).ok) return;
			const ended: NormalizedTask[] = [];
			await mapWithConcurrency(
				this.running.slice(0, READS_PER_CHECK),
				concurrency,
				async (task) => {
					// A failed read says nothing; the waiters' own timers still run.
					const outcome = await settle(read(task, Date.now() + checkEveryMs));
					if (outcome.ok && isTerminal(outcome.value)) ended.push(task);
				},
				() => signal.aborted,
			);
			if (signal.aborted) return;
			for (const task of ended) {
				this.running.splice(this.running.indexOf(task), 1);
				this.waiters.shift()?.abort();
			}
		}
	}
}
