/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { ProviderError, classifyHttp } from '../../nodes/ActTwo/core/errors';
import { ADAPTERS } from '../../nodes/ActTwo/providers';

const ERR = Object.fromEntries(Object.values(ADAPTERS).map((a) => [a.id, a.errors]));
import {
	backoffMs,
	isRetryable,
	retryAfterMs,
	withRetry,
} from '../../nodes/ActTwo/transport/retry';
import { mapWithConcurrency } from '../../nodes/ActTwo/core/limit';

const err = (status: number, body: unknown = {}, retryAfter: number | null = null) =>
	new ProviderError('runway', classifyHttp(status, body, ERR.runway), status, body, retryAfter);

describe('Retry-After', () => {
	it('reads seconds, HTTP dates and retry-after-ms', () => {
		expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
		expect(retryAfterMs({ 'retry-after-ms': '250' })).toBe(250);
		expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000)).toBe(6000);
		expect(retryAfterMs({})).toBeNull();
		expect(retryAfterMs({ 'retry-after': 'soon' })).toBeNull();
	});
	it('backs off exponentially up to 8 s with jitter below', () => {
		for (let a = 0; a < 8; a++) {
			const d = backoffMs(a);
			expect(d).toBeLessThanOrEqual(Math.min(500 * 2 ** a, 8000));
			expect(d).toBeGreaterThanOrEqual(Math.min(500 * 2 ** a, 8000) * 0.75);
		}
	});
});

describe('retry policy: a create is never retried after an ambiguous failure', () => {
	it('reads retry 429, 5xx and lost connections; never 400/401/404', () => {
		expect([429, 500, 502, 503, 504].every((s) => isRetryable(err(s), 'idempotent'))).toBe(true);
		expect([400, 401, 404, 412].some((s) => isRetryable(err(s), 'idempotent'))).toBe(false);
	});
	it('creates retry only 429 (the provider started nothing)', () => {
		expect(isRetryable(err(429), 'create')).toBe(true);
		expect(isRetryable(err(500), 'create')).toBe(false);
		const lost = new ProviderError(
			'runway',
			{ code: 'connection', message: 'socket hang up', category: 'provider', retryable: true },
			null,
			null,
		);
		expect(isRetryable(lost, 'create')).toBe(false);
		expect(isRetryable(lost, 'idempotent')).toBe(true);
	});
	it('honours Retry-After and gives up after maxRetries', async () => {
		let calls = 0;
		const started = Date.now();
		await expect(
			withRetry(
				async () => {
					calls++;
					throw err(429, { error: 'slow down' }, 20);
				},
				{ policy: 'idempotent', maxRetries: 3 },
			),
		).rejects.toThrow('slow down');
		expect(calls).toBe(4);
		expect(Date.now() - started).toBeGreaterThanOrEqual(55);
	});
	it('makes no retry that would start after the deadline', async () => {
		let calls = 0;
		const started = Date.now();
		await expect(
			withRetry(
				async () => {
					calls++;
					throw err(429, { error: 'come back later' }, calls === 1 ? 50 : 60_000);
				},
				{ policy: 'idempotent', deadline: started + 1000 },
			),
		).rejects.toThrow('come back later');
		expect(calls).toBe(2);
		expect(Date.now() - started).toBeLessThan(900);
	});
	it('stops waiting when the execution is cancelled', async () => {
		const controller = new AbortController();
		const p = withRetry(
			async () => {
				throw err(503, {}, 60_000);
			},
			{ policy: 'idempotent', signal: controller.signal },
		);
		setTimeout(() => controller.abort(new Error('cancelled')), 20);
		await expect(p).rejects.toThrow('cancelled');
	});
});

describe('error categories', () => {
	it('classifies each provider status', () => {
		expect(
			classifyHttp(412, { error: 'You do not have enough credits to run this task.' }, ERR.useapi)
				.category,
		).toBe('credits');
		expect(classifyHttp(422, { error: 'MODERATED' }, ERR.useapi).category).toBe('moderation');
		expect(
			classifyHttp(402, { code: 402, msg: 'Insufficient credits' }, ERR.liangxin).category,
		).toBe('credits');
		expect(classifyHttp(422, { code: 422, msg: 'input.seed invalid' }, ERR.liangxin).category).toBe(
			'invalid_input',
		);
		expect(
			classifyHttp(
				401,
				{ error: { message: 'invalid token', type: 'comet_api_error' } },
				ERR.comet,
			),
		).toMatchObject({ category: 'auth', message: 'invalid token' });
		expect(
			classifyHttp(429, { error: 'Your daily task limit has been reached.' }, ERR.runway),
		).toMatchObject({ category: 'rate_limited', retryable: true });
		expect(classifyHttp(596, {}, ERR.useapi).retryable).toBe(false);
	});
});

describe('mapWithConcurrency', () => {
	it('never exceeds the limit and keeps order', async () => {
		let inFlight = 0;
		let peak = 0;
		const out = await mapWithConcurrency(
			Array.from({ length: 50 }, (_, i) => i),
			4,
			async (n) => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				await new Promise((r) => setTimeout(r, 1 + (n % 3)));
				inFlight--;
				return n * 2;
			},
		);
		expect(peak).toBe(4);
		expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
	});
});
