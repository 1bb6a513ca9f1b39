import type { IDataObject } from 'n8n-workflow';

import type { ErrorCategory, ErrorRules, ProviderId, TaskError } from './types';

/**
 * What an error is about, which decides its hint as much as its category does:
 * - request: a request got an error answer (or none) and nothing else is known;
 * - render_failed: a render ran and ended FAILED or CANCELLED, with the provider's reason;
 * - create_unknown: a create was sent but its outcome is unknown (5xx, lost connection, unreadable answer):
 *   the render may have started.
 */
export type ErrorSituation = 'request' | 'render_failed' | 'create_unknown';

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

/** Hints for a render that ran and ended failed: its own reason, never an outage unless the provider says so. */
const RENDER_HINTS: Partial<Record<ErrorCategory, string>> = {
	invalid_input:
		'The provider could not use the inputs of this render (see the reason). The same inputs will fail again: fix the character image or the driving video first (for example a clearly visible face, or a supported length and format).',
};
const RENDER_TRANSIENT =
	'The render failed at the provider for a reason it marks as temporary. Running it again may succeed, but starts (and may bill) a new render.';
const RENDER_UNEXPLAINED =
	'The render ended as failed for the reason above; the provider does not mark it as temporary. Check the inputs, and the task in the provider dashboard, before running again: each run starts (and may bill) a new render.';
const RENDER_CANCELLED =
	'The render was cancelled (by a Cancel call, or at the provider) and will not produce a video. Start a new render if you still need one.';

function createUnknownHint(taskList: string | undefined): string {
	return `The create request may have reached the provider: the render may have started and may be billed (a create is never retried, to avoid billing a second render). Before trying again, look for a render started at this time in ${taskList ?? 'the provider dashboard'}; if it is there, use Get or Wait with its task ID instead of creating another.`;
}

export function hintFor(
	category: ErrorCategory,
	situation: ErrorSituation = 'request',
	detail?: Pick<TaskError, 'code' | 'retryable'>,
	taskList?: string,
): string {
	if (situation === 'create_unknown') return createUnknownHint(taskList);
	if (situation === 'render_failed') {
		if (detail?.code === 'cancelled') return RENDER_CANCELLED;
		if (category === 'provider') return detail?.retryable ? RENDER_TRANSIENT : RENDER_UNEXPLAINED;
		return RENDER_HINTS[category] ?? HINTS[category];
	}
	return HINTS[category];
}

/** A provider answered with an error, or a request's outcome is unknown. Carries no request headers, so no secrets. */
export class ProviderError extends Error {
	/** See ErrorSituation; set by renderFailedError / createOutcomeUnknown. */
	situation: ErrorSituation = 'request';
	/** For a create whose outcome is unknown: where the user can look for the render (ErrorRules.taskList). */
	taskList?: string;

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
		const hint = hintFor(this.detail.category, this.situation, this.detail, this.taskList);
		return `${hint} (category: ${this.detail.category}${this.detail.code ? `, code: ${this.detail.code}` : ''})`;
	}
}

/** The error for a render that ended failed or cancelled, labelled from the provider's reason. */
export function renderFailedError(
	provider: ProviderId,
	detail: TaskError,
	raw: unknown,
): ProviderError {
	const error = new ProviderError(provider, detail, null, raw);
	error.situation = 'render_failed';
	return error;
}

/**
 * Whether a failed create may still have started a render: true unless the provider answered with a clear
 * refusal (an HTTP or business code 4xx, e.g. 400, 402, 429). A lost connection, a timeout, a 5xx or an answer
 * that could not be read say nothing about whether the render exists.
 */
export function mayHaveStarted(error: ProviderError, rules?: ErrorRules): boolean {
	const code = error.detail.code;
	const status = /^\d{3}$/.test(code) ? Number(code) : error.httpCode;
	if (status === null) return true;
	if (rules?.refusals?.includes(status)) return false;
	return !(status >= 400 && status < 500);
}

/** Marks an error thrown by a render's create call whose outcome is unknown (see mayHaveStarted). */
export function createOutcomeUnknown(error: unknown, rules?: ErrorRules): unknown {
	if (error instanceof ProviderError && mayHaveStarted(error, rules)) {
		error.situation = 'create_unknown';
		error.detail.retryable = false;
		error.taskList = rules?.taskList;
	}
	return error;
}

const MODERATION_TEXT =
	/moderat|safety|content polic|flagged|nsfw|inappropriate|public figure|sensitive content|violat/i;
export const CREDITS_TEXT = /credit|insufficient (balance|quota)|quota exceeded|not enough/i;

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
export function classifyHttp(status: number, body: unknown, rules?: ErrorRules): TaskError {
	const message = messageFromBody(body) || `HTTP ${status}`;
	const code = String(status);
	const make = (category: ErrorCategory, retryable: boolean): TaskError => ({
		code,
		message,
		category,
		retryable,
	});
	const own = rules?.classify?.(status, message);
	if (own) return make(own.category, own.retryable);
	if (status === 401 || status === 403) return make('auth', false);
	if (status === 402 || status === 412) return make('credits', false);
	if (status === 404 || status === 410) return make('not_found', false);
	if (status === 429) return make('rate_limited', true);
	if (status >= 500 || status === 455 || status === 408) return make('provider', true);
	if (MODERATION_TEXT.test(message)) return make('moderation', false);
	if (CREDITS_TEXT.test(message)) return make('credits', false);
	return make('invalid_input', false);
}

/** A render's failure reason that points at its inputs (faces, length, format, unreadable media). */
const INPUT_TEXT =
	/\bno (human )?faces?\b|faces? (was |were |is |are )?(not |un)(detected|found|recogni[sz]ed)|(detect|find|recogni[sz]e|locate) (a |any |the )?(human |clear )?face|face detection|multiple faces|(video|clip|input|duration|image|file|performance|character|reference)\b[^.]{0,40}\btoo (short|long|small|large|big|dark|blurry)|duration|resolution|aspect ratio|frame ?rate|\bfps\b|(unsupported|invalid|corrupt(ed)?|unreadable|broken) (file|format|image|video|input|media|asset|url|codec|dimensions)|not (a )?(supported|valid) (file|format|image|video|input|media)|format (is )?not supported|(could not|couldn't|cannot|unable to|failed to) (download|fetch|decode|read|load|open|process) (the )?(input|image|video|asset|file|media|character|reference|driving)|invalid input/i;

/** Out of credits, in a render's failure reason ("credits refunded" is not that). */
const FAILURE_CREDITS_TEXT =
	/\b(insufficient|not enough|no|out of) (\w+ )?(credits?|balance|quota|points|funds)\b|(credits?|balance|quota) (is |are )?(exhausted|insufficient|exceeded|not enough)|quota exceeded/i;

/** Words with which a provider says a failure is temporary (so running the render again may succeed). */
const TRANSIENT_TEXT =
	/try again|temporar|unavailable|overload|busy|timed? ?out|time-out|internal (server )?error|server error|unexpected error|upstream|throttl|rate limit|capacity|maintenance/i;

/** Runway's documented failure codes (providers.md 1.3), and the transient ones seen in third-party code. */
function classifyRunwayCode(code: string): [ErrorCategory, boolean] | null {
	if (/^SAFETY\.|^INPUT_PREPROCESSING\.SAFETY/.test(code)) return ['moderation', false];
	// "You may retry" (INTERNAL.BAD_OUTPUT, INTERNAL); INPUT_PREPROCESSING.INTERNAL is a moderation-system error.
	if (/^INTERNAL(\.|$)|^INPUT_PREPROCESSING\.INTERNAL|^THIRD_PARTY/.test(code))
		return ['provider', true];
	// ASSET.INVALID ("fix the input"); other preprocessing failures concern the inputs (faces, length, format).
	if (/^ASSET\.|^INPUT_PREPROCESSING\./.test(code)) return ['invalid_input', false];
	return null;
}

/** A numeric failure code (Kie/LiangXin failCode, a legacy gateway's business code), read like an HTTP status. */
function classifyNumericCode(status: number, rules?: ErrorRules): [ErrorCategory, boolean] {
	const own = rules?.classify?.(status, '');
	if (own) return [own.category, own.retryable];
	if (status === 401 || status === 403) return ['auth', false];
	if (status === 402 || status === 412) return ['credits', false];
	if (status === 404 || status === 410) return ['not_found', false];
	if (status === 429) return ['rate_limited', true];
	if (status >= 500 || status === 455 || status === 408) return ['provider', true];
	if (status >= 400) return ['invalid_input', false];
	return ['provider', false];
}

/**
 * Classify a task failure reported in a status body or a callback: the category comes from the provider's
 * code or reason, and `retryable` is true only when the provider marks the failure as temporary. A failure
 * with no recognizable reason is `provider` and not retryable: a failed render was usually billed or used
 * quota, and nothing says a second one would end differently.
 */
export function classifyFailure(
	code: string | null | undefined,
	message: string | null | undefined,
	rules?: ErrorRules,
): TaskError {
	const c = (code ?? '').trim();
	const m = (message ?? '').trim() || 'The task failed without a reason from the provider.';
	const make = ([category, retryable]: [ErrorCategory, boolean]): TaskError => ({
		code: c,
		message: m,
		category,
		retryable,
	});
	const byCode = classifyRunwayCode(c);
	if (byCode) return make(byCode);
	const codeText = c.replace(/[_.]+/g, ' ');
	if (MODERATION_TEXT.test(m) || MODERATION_TEXT.test(codeText)) return make(['moderation', false]);
	if (INPUT_TEXT.test(m)) return make(['invalid_input', false]);
	if (FAILURE_CREDITS_TEXT.test(m)) return make(['credits', false]);
	if (TRANSIENT_TEXT.test(m) || TRANSIENT_TEXT.test(codeText)) return make(['provider', true]);
	if (/^\d{3}$/.test(c)) return make(classifyNumericCode(Number(c), rules));
	return make(['provider', false]);
}
