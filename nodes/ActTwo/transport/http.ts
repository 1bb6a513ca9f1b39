import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
} from 'n8n-workflow';

import { classifyHttp, ProviderError } from '../core/errors';
import type { ApiClient, ApiRequest, ErrorRules, ProviderId } from '../core/types';
import { isBlobLike } from '../core/multipart';
import { retryAfterMs, withRetry } from './retry';
import { settle } from '../core/settle';

export type HttpContext = IExecuteFunctions | IWebhookFunctions;

export interface ClientConfig {
	provider: ProviderId;
	/** The provider's own reading of its error codes. */
	errors?: ErrorRules;
	credentialType: string;
	baseUrl: string;
	signal?: AbortSignal;
	timeoutMs?: number;
	/** Backoff base for retries; tests shorten it. */
	retryBaseDelayMs?: number;
	/** The credential's secrets: masked wherever a provider echoes them in an error (some gateways do). */
	secrets?: string[];
}

/** Replaces every occurrence of a secret (6+ characters) in strings, deeply, with its first 3 characters and ***. */
export function maskSecrets<T>(value: T, secrets: string[] = []): T {
	const list = secrets.filter((s) => s.length >= 6);
	if (list.length === 0) return value;
	const mask = (v: unknown, depth: number): unknown => {
		if (typeof v === 'string')
			return list.reduce((text, secret) => text.split(secret).join(`${secret.slice(0, 3)}***`), v);
		if (depth > 8 || v === null || typeof v !== 'object') return v;
		if (Array.isArray(v)) return v.map((x) => mask(x, depth + 1));
		return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x, depth + 1)]));
	};
	return mask(value, 0) as T;
}

export function joinUrl(baseUrl: string, path: string): string {
	if (/^https?:\/\//i.test(path)) return path;
	return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** A request made against a deadline waits at most until then (but always at least a second). */
const requestTimeout = (timeoutMs: number, deadline?: number) =>
	deadline === undefined ? timeoutMs : Math.min(timeoutMs, Math.max(1000, deadline - Date.now()));

const MALFORMED = Symbol('malformed');

function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return body;
	if (body.trim() === '') return {};
	try {
		return JSON.parse(body);
	} catch {
		return MALFORMED;
	}
}

/**
 * A failed request's network reason in the transport's own words ("socket hang up (ECONNRESET)"). n8n's
 * helper wraps it in its friendlier text ("…You can retry the request immediately…"), which is wrong for a
 * create whose render may have started.
 */
function networkReason(error: Error): string {
	const cause = (error as { cause?: unknown }).cause;
	const inner = cause instanceof Error ? cause : error;
	const code = (inner as { code?: unknown }).code;
	return typeof code === 'string' && code && !inner.message.includes(code)
		? `${inner.message} (${code})`
		: inner.message;
}

/** The only code that sends provider API requests: n8n's helpers, our retry policy, our error mapping. */
export function createApiClient(ctx: HttpContext, config: ClientConfig): ApiClient {
	return {
		async request<T>(req: ApiRequest): Promise<T> {
			return await withRetry(async () => (await send(ctx, config, req)) as T, {
				policy: req.retry,
				signal: config.signal,
				baseDelayMs: config.retryBaseDelayMs,
				deadline: req.deadline,
				maxRetries: req.maxRetries,
			});
		},
	};
}

/** The same client, with every request bound to a deadline (see ApiRequest.deadline). */
export function withDeadline(client: ApiClient, deadline: number): ApiClient {
	return { request: async (req) => await client.request({ deadline, ...req }) };
}

/** The same client, with creates never retried automatically: for a caller that waits out a 429 itself. */
export function withoutCreateRetries(client: ApiClient): ApiClient {
	return {
		request: async (req) =>
			await client.request(req.retry === 'create' ? { ...req, maxRetries: 0 } : req),
	};
}

const isStream = (body: unknown): body is { pipe: unknown; destroy?: () => void } =>
	typeof (body as { pipe?: unknown } | null)?.pipe === 'function';

async function send(ctx: HttpContext, config: ClientConfig, req: ApiRequest): Promise<unknown> {
	const payload = req.openBody ? await req.openBody() : req.body;
	const streamed = isStream(payload) || isBlobLike(payload);
	const isRaw =
		Buffer.isBuffer(payload) ||
		streamed ||
		(typeof FormData !== 'undefined' && payload instanceof FormData);
	const options: IHttpRequestOptions = {
		method: req.method,
		url: joinUrl(config.baseUrl, req.url),
		qs: req.qs,
		headers: { Accept: 'application/json', ...(req.headers ?? {}) },
		body: payload as IHttpRequestOptions['body'],
		json: !isRaw,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: requestTimeout(config.timeoutMs ?? 60_000, req.deadline),
		abortSignal: config.signal,
		// The redirect follower keeps every chunk it sends (to resend it after a 307): a streamed upload would
		// end up whole in memory. A stream cannot be sent twice anyway.
		...(streamed ? { disableFollowRedirect: true } : {}),
	};
	const sent = await settle(
		req.authenticated === false
			? ctx.helpers.httpRequest(options)
			: ctx.helpers.httpRequestWithAuthentication.call(ctx, config.credentialType, options),
	);
	if (!sent.ok) {
		if (isStream(payload)) payload.destroy?.();
		if (config.signal?.aborted) throw sent.error;
		throw new ProviderError(
			config.provider,
			{
				code: 'connection',
				message: maskSecrets(
					`Could not get an answer from the provider: ${networkReason(sent.error)}`,
					config.secrets,
				),
				category: 'provider',
				retryable: true,
			},
			null,
			null,
		);
	}
	const response = sent.value as IN8nHttpFullResponse;
	const parsed = parseBody(response.body);
	// Providers echo what they were sent (a callback URL carries the trigger's secret; some gateways echo keys).
	const body = parsed === MALFORMED ? parsed : maskSecrets(parsed, config.secrets);
	const headers = response.headers as IDataObject;
	if (response.statusCode >= 400) {
		const detail = classifyHttp(
			response.statusCode,
			body === MALFORMED ? maskSecrets(String(response.body ?? ''), config.secrets) : body,
			config.errors,
		);
		throw new ProviderError(
			config.provider,
			detail,
			response.statusCode,
			body === MALFORMED ? null : body,
			retryAfterMs(headers),
		);
	}
	if (body === MALFORMED) {
		throw new ProviderError(
			config.provider,
			{
				code: 'malformed_response',
				message: 'The provider answered with a body that is not valid JSON.',
				category: 'provider',
				retryable: true,
			},
			response.statusCode,
			null,
		);
	}
	const businessCode = req.businessCode?.(body) ?? null;
	if (businessCode !== null) {
		throw new ProviderError(
			config.provider,
			classifyHttp(businessCode, body, config.errors),
			response.statusCode,
			body,
			retryAfterMs(headers),
		);
	}
	return body;
}
