import { asObject, asString, firstUrl, listOf } from '../common/task';

/**
 * The video URL of a completed generation, in any of the shapes AIML returns (providers.md 7 A.3):
 * `{url}` (documented), `["<url>"]` (the Act-Two page's recorded run), `[{url}]` or a bare string.
 */
export function videoUrl(video: unknown): string | null {
	const items = listOf(video);
	return firstUrl(
		video,
		asObject(video).url,
		items.map((item) => asObject(item).url),
	);
}

/** Outside text in a message, cut short. */
const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/**
 * A failed generation's reason and code from its `error`, in the three shapes seen (A.3): a string (the
 * legacy Runway DTO), `{name, message}` (documented) and `{detail: [{loc, msg, type}]}` (a recorded failure).
 */
export function generationError(error: unknown): { code: string | null; message: string | null } {
	const text = asString(error);
	if (text !== null) return { code: null, message: clip(text) };
	const e = asObject(error);
	const message = asString(e.message);
	if (message !== null)
		return { code: asString(e.name) ?? asString(e.code), message: clip(message) };
	const detailText = asString(e.detail);
	if (detailText !== null) return { code: asString(e.name), message: clip(detailText) };
	const issues = listOf(e.detail).map(asObject);
	const msgs = issues.map((d) => asString(d.msg)).filter((m): m is string => m !== null);
	if (msgs.length > 0)
		return { code: asString(issues[0].type), message: clip(msgs.slice(0, 5).join('; ')) };
	return { code: asString(e.name), message: null };
}
