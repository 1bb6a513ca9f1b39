/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import type { RecordedCallback, AnySimProvider } from './types';

export interface CallbackJob {
	provider: AnySimProvider;
	taskId: string;
	url: string;
	event: 'progress' | 'final';
	body: unknown;
	/** Extra headers, computed per attempt (e.g. a fresh HMAC timestamp). */
	headers?: () => Record<string, string>;
}

const TIMEOUT_MS = 15000; // Kie documents a 15 s callback timeout

/** POSTs callbacks as JSON, retrying on a non-2xx answer or a connection error with doubling delays. */
export class CallbackSender {
	private readonly log: RecordedCallback[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly inflight = new Set<AbortController>();
	private readonly pending = new Set<Promise<void>>();
	private closed = false;
	private generation = 0;

	constructor(
		private readonly attempts: number,
		private readonly baseDelayMs: number,
	) {}

	records(): RecordedCallback[] {
		return this.log.map((r) => ({ ...r }));
	}

	/**
	 * The log once no POST is in flight. A receiver sees a callback before its answer is logged here,
	 * so a test that saw it arrive reads the log through this. Retries still scheduled are not awaited.
	 */
	async settled(): Promise<RecordedCallback[]> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
		return this.records();
	}

	send(job: CallbackJob): void {
		this.track(this.attempt(job, 1, this.generation));
	}

	private track(attempt: Promise<void>): void {
		this.pending.add(attempt);
		const done = (): void => void this.pending.delete(attempt);
		void attempt.then(done, done);
	}

	private async attempt(job: CallbackJob, attempt: number, generation: number): Promise<void> {
		if (this.closed || generation !== this.generation) return;
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'act-two-simulator/1 (' + job.provider + ' callback)',
			...(job.headers ? job.headers() : {}),
		};
		const record: RecordedCallback = {
			at: Date.now(),
			provider: job.provider,
			taskId: job.taskId,
			url: job.url,
			attempt,
			event: job.event,
			headers,
			body: job.body,
			status: null,
			error: null,
		};
		const controller = new AbortController();
		this.inflight.add(controller);
		const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
		try {
			const res = await fetch(job.url, {
				method: 'POST',
				headers,
				body: JSON.stringify(job.body),
				signal: controller.signal,
				redirect: 'manual',
			});
			record.status = res.status;
			await res.arrayBuffer().catch(() => undefined);
		} catch (error) {
			record.error = (error as Error).message || String(error);
		} finally {
			clearTimeout(timer);
			this.inflight.delete(controller);
		}
		if (this.closed || generation !== this.generation) return;
		this.log.push(record);
		const ok = record.status !== null && record.status >= 200 && record.status < 300;
		if (ok || attempt >= this.attempts) return;
		const t = setTimeout(
			() => {
				this.timers.delete(t);
				this.track(this.attempt(job, attempt + 1, generation));
			},
			this.baseDelayMs * 2 ** (attempt - 1),
		);
		this.timers.add(t);
	}

	/** Forgets the log and stops pending retries. */
	reset(): void {
		this.generation += 1;
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		for (const c of this.inflight) c.abort();
		this.log.length = 0;
	}

	close(): void {
		this.closed = true;
		this.reset();
	}
}
