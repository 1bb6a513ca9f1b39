import type { IDataObject } from 'n8n-workflow';

import type {
	ModelId,
	NormalizedTask,
	ProviderId,
	TaskCost,
	TaskError,
	TaskStatus,
} from '../../core/types';

/**
 * Readers for outside data (status answers, callback bodies). They never call `toString`/`valueOf` on what a
 * provider or a stranger sent (an object with a `toString` field makes String(x) throw) and never build a Date
 * out of range, so a parser built on them is total.
 */

/** Build a normalized task; every adapter goes through here so the shape never drifts. */
export function makeTask(
	provider: ProviderId,
	model: ModelId,
	taskId: string,
	status: TaskStatus,
	raw: unknown,
	extra: Partial<
		Pick<
			NormalizedTask,
			'progress' | 'outputs' | 'error' | 'createdAt' | 'updatedAt' | 'replyRef' | 'cost'
		>
	> = {},
): NormalizedTask {
	return {
		provider,
		model,
		taskId,
		status,
		progress: extra.progress ?? (status === 'succeeded' ? 1 : status === 'queued' ? 0 : null),
		outputs: extra.outputs ?? [],
		error: extra.error ?? null,
		createdAt: extra.createdAt ?? null,
		updatedAt: extra.updatedAt ?? null,
		replyRef: extra.replyRef ?? null,
		cost: extra.cost ?? null,
		raw: (raw && typeof raw === 'object' ? raw : { value: raw }) as IDataObject,
	};
}

export function asObject(value: unknown): IDataObject {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
}

/** A non-empty string, or a finite number as text; null for anything else (objects, arrays, NaN, booleans). */
export function asString(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A finite number, or a string holding one ("501", " 0.5 "); null for anything else (arrays, objects, "NaN"). */
export function asNumber(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && value.length <= 64 && NUMERIC.test(value)) {
		const n = Number(value);
		return Number.isFinite(n) ? n : null;
	}
	return null;
}

/** Accepts a 0..1 ratio, a 0..100 number, or strings such as "0.4" and "40%". */
export function parseProgress(value: unknown): number | null {
	let percent = false;
	let n: number | null;
	if (typeof value === 'string') {
		const text = value.trim();
		percent = text.endsWith('%');
		n = asNumber(percent ? text.slice(0, -1) : text);
	} else n = asNumber(value);
	if (n === null) return null;
	const ratio = percent || n > 1 ? n / 100 : n;
	return Math.min(1, Math.max(0, ratio));
}

/** The largest time a JS Date holds, in ms either side of 1970. */
const MAX_DATE_MS = 8.64e15;

function msToIso(ms: number): string | null {
	return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : null;
}

/**
 * An epoch time in seconds, ms, µs or ns, told apart by magnitude: each unit puts a time between 2001 and
 * the year 33658 in its own band (s < 1e12 ≤ ms < 1e15 ≤ µs < 1e18 ≤ ns < 1e21). Anything else is null.
 */
function epochToIso(n: number): string | null {
	if (!Number.isFinite(n) || n <= 0) return null;
	if (n < 1e12) return msToIso(n * 1000);
	if (n < 1e15) return msToIso(n);
	if (n < 1e18) return msToIso(n / 1e3);
	if (n < 1e21) return msToIso(n / 1e6);
	return null;
}

const ISO_LIKE =
	/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch seconds/ms/µs/ns (number or digits), or an ISO 8601 string (no zone = UTC), to ISO; null otherwise. */
export function toIso(value: unknown): string | null {
	if (typeof value === 'number') return epochToIso(value);
	if (typeof value !== 'string') return null;
	const text = value.trim();
	if (text.length > 40) return null;
	if (/^\d+(\.\d+)?$/.test(text)) return epochToIso(Number(text));
	if (!ISO_LIKE.test(text)) return null;
	let iso = text.replace(' ', 'T');
	if (!/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(iso.slice(10)))
		iso += iso.length === 10 ? 'T00:00:00Z' : 'Z';
	return msToIso(Date.parse(iso));
}

/** A credit or dollar figure: a finite, non-negative number (or numeric string); null otherwise. */
export function costOf(value: unknown, unit: TaskCost['unit'], final: boolean): TaskCost | null {
	const amount = asNumber(value);
	return amount === null || amount < 0 ? null : { amount, unit, final };
}

export function failureOf(status: TaskStatus, error: TaskError | null): TaskError | null {
	return status === 'failed' ? error : null;
}

/**
 * The elements of an array, copied by index (at most 1 000). Array methods (map, filter) consult the array's
 * own `constructor` key, which outside data may set: they would throw on such an array.
 */
export function listOf(value: unknown): unknown[] {
	const out: unknown[] = [];
	if (!Array.isArray(value)) return out;
	for (let i = 0; i < value.length && i < 1000; i++) out.push(value[i]);
	return out;
}

const isHttpUrl = (u: unknown): u is string => typeof u === 'string' && /^https?:\/\//i.test(u);

/** The http(s) URLs of a list; anything else in it (objects, numbers, nested lists) is skipped. */
export function urlList(value: unknown): string[] {
	return listOf(value).filter(isHttpUrl);
}

/** First http(s) URL among candidate fields (a string, or a list of them), for providers whose output location is UNCONFIRMED. */
export function firstUrl(...candidates: unknown[]): string | null {
	for (const c of candidates) {
		if (isHttpUrl(c)) return c;
		const inList = urlList(c);
		if (inList.length > 0) return inList[0];
	}
	return null;
}
