import { classifyHttp, ProviderError } from '../../core/errors';
import { settle } from '../../core/settle';
import type { ApiClient, ApiRequest, ErrorRules } from '../../core/types';
import { asObject, asString, listOf } from '../common/task';

export const muapiErrors: ErrorRules = {
	taskList: 'the request history of your Muapi dashboard (muapi.ai)',
};

/** Outside text in a message: cut short, so a huge or hostile value cannot flood the error. */
const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** One pydantic issue as "body.reference_video_url: Field required". */
function issueText(issue: unknown): string | null {
	const i = asObject(issue);
	const msg = asString(i.msg);
	if (!msg) return null;
	const loc = listOf(i.loc)
		.map((part) => asString(part))
		.filter((part): part is string => part !== null);
	return loc.length > 0 ? `${loc.join('.')}: ${msg}` : msg;
}

/**
 * The reason in one of Muapi's error bodies (FastAPI): `detail` as a pydantic issue list or a string, then
 * `error` (a string or {message}), then `message`; null when there is none.
 */
export function muapiMessage(body: unknown): string | null {
	const b = asObject(body);
	const issues = listOf(b.detail)
		.map(issueText)
		.filter((t): t is string => t !== null);
	if (issues.length > 0) return clip(issues.slice(0, 5).join('; '));
	const text =
		asString(b.detail) ??
		asString(b.error) ??
		asString(asObject(b.error).message) ??
		asString(b.message);
	return text === null ? null : clip(text);
}

/** A ProviderError labelled again from the reason in Muapi's body, where it gave one; anything else as it is. */
function withMuapiReason(error: unknown): unknown {
	if (!(error instanceof ProviderError) || error.httpCode === null) return error;
	const message = muapiMessage(error.responseBody);
	if (message === null) return error;
	return new ProviderError(
		error.provider,
		classifyHttp(error.httpCode, { message }, muapiErrors),
		error.httpCode,
		error.responseBody,
		error.retryAfterMs,
	);
}

/**
 * A request whose error answers carry Muapi's own reason: the shared transport reads the common envelopes,
 * not FastAPI's `detail`, so an HTTP error is labelled again from the reason Muapi gave.
 */
export async function muapiRequest<T>(client: ApiClient, req: ApiRequest): Promise<T> {
	const sent = await settle(client.request<T>(req));
	if (sent.ok) return sent.value;
	throw withMuapiReason(sent.error);
}
