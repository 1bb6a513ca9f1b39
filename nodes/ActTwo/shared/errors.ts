import type { IDataObject } from 'n8n-workflow';

import type { ErrorCategory, ProviderId, TaskError } from '../providers/types';

const HINTS: Record<ErrorCategory, string> = {
	moderation:
		"The provider's content moderation rejected the input or output. Do not retry the same inputs: change the character or the driving video. A moderated task may still be charged.",
	credits:
		'The account has no credits left for this render. Top it up at the provider, then run again.',
	invalid_input: 'The provider rejected a parameter. Check the field named in the message.',
	rate_limited:
		"The provider is rate limiting this account. Lower the node's Concurrency option or wait before running again.",
	provider:
		'The provider failed on its side. Reads are retried automatically; a create is never retried, to avoid billing a second render.',
	timeout:
		'The task did not end in time. Use the Get or Wait operation later with the same task ID.',
	auth: 'Check the API key and base URL in the credential.',
	not_found: "Check the task or asset ID and that it belongs to this credential's account.",
};

export function hintFor(category: ErrorCategory): string {
	return HINTS[category];
}

/** A provider answered with an error, or a request's outcome is unknown. Carries no request headers, so no secrets. */
export class ProviderError extends Error {
	constructor(
		readonly provider: ProviderId,
		readonly detail: TaskError,
		readonly httpCode: number | null,
		readonly responseBody: unknown,
		readonly retryAfterMs: number | null = null,
	) {
		super(detail.message);
		this.name = 'ProviderError';
	}

	get description(): string {
		return `${hintFor(this.detail.category)} (category: ${this.detail.category}${this.detail.code ? `, code: ${this.detail.code}` : ''})`;
	}
}

const MODERATION_TEXT =
	/moderat|safety|content polic|flagged|nsfw|inappropriate|public figure|sensitive content|violat/i;
const CREDITS_TEXT = /credit|insufficient (balance|quota)|quota exceeded|not enough/i;

/** Pull a human message out of any of the providers' error envelopes. */
export function messageFromBody(body: unknown): string {
	if (typeof body === 'string') return body.slice(0, 500);
	if (!body || typeof body !== 'object') return '';
	const b = body as IDataObject;
	const error = b.error;
	if (typeof error === 'string') return error;
	if (error && typeof error === 'object') {
		const e = error as IDataObject;
		for (const k of ['message', 'errorMessage', 'reason'])
			if (typeof e[k] === 'string' && e[k]) return e[k] as string;
	}
	for (const k of ['failMsg', 'msg', 'message', 'fail_reason']) {
		if (typeof b[k] === 'string' && b[k]) return b[k] as string;
	}
	return '';
}

/** One place that turns an HTTP status (or a business code in a 200 body) into a category. */
export function classifyHttp(provider: ProviderId, status: number, body: unknown): TaskError {
	const message = messageFromBody(body) || `HTTP ${status}`;
	const code = String(status);
	const make = (category: ErrorCategory, retryable: boolean): TaskError => ({
		code,
		message,
		category,
		retryable,
	});
	if (status === 401 || status === 403) {
		if (provider === 'comet' && CREDITS_TEXT.test(message)) return make('credits', false);
		return make('auth', false);
	}
	if (status === 402 || status === 412) return make('credits', false);
	if (status === 404 || status === 410) return make('not_found', false);
	if (status === 429) return make('rate_limited', true);
	if (status === 422 && provider === 'useapi') return make('moderation', false);
	if (status === 596) return make('provider', false);
	if (status >= 500 || status === 455 || status === 408) return make('provider', true);
	if (MODERATION_TEXT.test(message)) return make('moderation', false);
	if (CREDITS_TEXT.test(message)) return make('credits', false);
	return make('invalid_input', false);
}

/** Classify a task failure reported in a status body or a callback. */
export function classifyFailure(
	code: string | null | undefined,
	message: string | null | undefined,
): TaskError {
	const c = (code ?? '').trim();
	const m = (message ?? '').trim() || 'The task failed without a reason from the provider.';
	const make = (category: ErrorCategory, retryable: boolean): TaskError => ({
		code: c,
		message: m,
		category,
		retryable,
	});
	if (/^SAFETY\.|^INPUT_PREPROCESSING\.SAFETY/.test(c)) return make('moderation', false);
	if (/^INTERNAL\.BAD_OUTPUT|^INPUT_PREPROCESSING\.INTERNAL|^INTERNAL$|^THIRD_PARTY/.test(c))
		return make('provider', true);
	if (/^ASSET\./.test(c)) return make('invalid_input', false);
	if (MODERATION_TEXT.test(m) || MODERATION_TEXT.test(c)) return make('moderation', false);
	if (CREDITS_TEXT.test(m)) return make('credits', false);
	return make('provider', true);
}
