import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
} from 'n8n-workflow';

import { classifyHttp, ProviderError } from '../shared/errors';
import type { ApiClient, ApiRequest, ProviderId } from '../providers/types';
import { retryAfterMs, withRetry } from './retry';
import { settle } from './settle';

export type HttpContext = IExecuteFunctions | IWebhookFunctions;

export interface ClientConfig {
	provider: ProviderId;
	credentialType: string;
	baseUrl: string;
	signal?: AbortSignal;
	timeoutMs?: number;
	/** Backoff base for retries; tests shorten it. */
	retryBaseDelayMs?: number;
}

export function joinUrl(baseUrl: string, path: string): string {
	if (/^https?:\/\//i.test(path)) return path;
	return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

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

/** The only code that sends provider API requests: n8n's helpers, our retry policy, our error mapping. */
export function createApiClient(ctx: HttpContext, config: ClientConfig): ApiClient {
	return {
		async request<T>(req: ApiRequest): Promise<T> {
			return await withRetry(async () => (await send(ctx, config, req)) as T, {
				policy: req.retry,
				signal: config.signal,
				baseDelayMs: config.retryBaseDelayMs,
			});
		},
	};
}

async function send(ctx: HttpContext, config: ClientConfig, req: ApiRequest): Promise<unknown> {
	const isRaw =
		Buffer.isBuffer(req.body) || (typeof FormData !== 'undefined' && req.body instanceof FormData);
	const options: IHttpRequestOptions = {
		method: req.method,
		url: joinUrl(config.baseUrl, req.url),
		qs: req.qs,
		headers: { Accept: 'application/json', ...(req.headers ?? {}) },
		body: req.body as IHttpRequestOptions['body'],
		json: !isRaw,
		encoding: 'text',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: config.timeoutMs ?? 60_000,
		abortSignal: config.signal,
	};
	const sent = await settle(
		req.authenticated === false
			? ctx.helpers.httpRequest(options)
			: ctx.helpers.httpRequestWithAuthentication.call(ctx, config.credentialType, options),
	);
	if (!sent.ok) {
		if (config.signal?.aborted) throw sent.error;
		throw new ProviderError(
			config.provider,
			{
				code: 'connection',
				message: `Could not get an answer from the provider: ${sent.error.message}`,
				category: 'provider',
				retryable: true,
			},
			null,
			null,
		);
	}
	const response = sent.value as IN8nHttpFullResponse;
	const body = parseBody(response.body);
	const headers = response.headers as IDataObject;
	if (response.statusCode >= 400) {
		const detail = classifyHttp(
			config.provider,
			response.statusCode,
			body === MALFORMED ? response.body : body,
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
			classifyHttp(config.provider, businessCode, body),
			response.statusCode,
			body,
			retryAfterMs(headers),
		);
	}
	return body;
}
