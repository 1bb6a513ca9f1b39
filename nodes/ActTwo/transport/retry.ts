import { sleep } from 'n8n-workflow';

import { ProviderError } from '../core/errors';
import { settle } from '../core/settle';
import type { RetryPolicy } from '../core/types';

export interface RetryOptions {
	policy: RetryPolicy;
	signal?: AbortSignal;
	maxRetries?: number;
	/** Upper bound for one wait, whatever Retry-After says. */
	maxDelayMs?: number;
	/** For tests and benchmarks: scales the computed backoff (not Retry-After). */
	baseDelayMs?: number;
	/** Epoch ms: a retry that would start after it is not made; the last error is thrown instead. */
	deadline?: number;
}

/** Parse Retry-After (seconds or HTTP date) and retry-after-ms, as Runway's SDK does. */
export function retryAfterMs(
	headers: Record<string, unknown> | undefined,
	now = Date.now(),
): number | null {
	if (!headers) return null;
	const get = (name: string) => {
		const v = headers[name] ?? headers[name.toLowerCase()];
		return Array.isArray(v) ? String(v[0]) : v === undefined || v === null ? undefined : String(v);
	};
	const ms = Number(get('retry-after-ms'));
	if (Number.isFinite(ms) && ms >= 0 && get('retry-after-ms') !== undefined) return ms;
	const ra = get('retry-after');
	if (ra === undefined || ra === '') return null;
	const seconds = Number(ra);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(ra);
	return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/** Exponential backoff with up to 25 % jitter below: min(base * 2^attempt, 8 s). */
export function backoffMs(attempt: number, baseDelayMs = 500): number {
	const delay = Math.min(baseDelayMs * 2 ** attempt, 8000);
	return delay * (1 - Math.random() * 0.25);
}

/**
 * Whether an error may be retried under a policy. Reads retry on 429, 5xx and lost connections.
 * A create retries only on 429, where the provider has said it did not start anything; after a 5xx or
 * a lost connection the render may have started, and a retry could bill a second one.
 */
export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
	if (!(error instanceof ProviderError)) return false;
	if (policy === 'create') return error.detail.category === 'rate_limited';
	return error.detail.retryable;
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
	const maxRetries = options.maxRetries ?? (options.policy === 'create' ? 3 : 5);
	const maxDelay = options.maxDelayMs ?? 60_000;
	for (let attempt = 0; ; attempt++) {
		const outcome = await settle(fn());
		if (outcome.ok) return outcome.value;
		if (attempt >= maxRetries || !isRetryable(outcome.error, options.policy)) throw outcome.error;
		const hinted = (outcome.error as ProviderError).retryAfterMs;
		const delay = Math.min(hinted ?? backoffMs(attempt, options.baseDelayMs), maxDelay);
		if (options.deadline !== undefined && Date.now() + delay >= options.deadline)
			throw outcome.error;
		await sleep(delay, options.signal);
	}
}
