import type { IDataObject } from 'n8n-workflow';

import type { ModelId, NormalizedTask, ProviderId, TaskError, TaskStatus } from './types';

/** Build a normalized task; every adapter goes through here so the shape never drifts. */
export function makeTask(
	provider: ProviderId,
	model: ModelId,
	taskId: string,
	status: TaskStatus,
	raw: unknown,
	extra: Partial<
		Pick<NormalizedTask, 'progress' | 'outputs' | 'error' | 'createdAt' | 'updatedAt' | 'replyRef'>
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
		raw: (raw && typeof raw === 'object' ? raw : { value: raw }) as IDataObject,
	};
}

export function asObject(value: unknown): IDataObject {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
}

export function asString(value: unknown): string | null {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number') return String(value);
	return null;
}

/** Accepts a 0..1 ratio, a 0..100 number, or strings such as "0.4" and "40%". */
export function parseProgress(value: unknown): number | null {
	if (value === null || value === undefined || value === '') return null;
	const text = String(value).trim();
	const n = Number(text.replace('%', ''));
	if (!Number.isFinite(n)) return null;
	const ratio = text.endsWith('%') || n > 1 ? n / 100 : n;
	return Math.min(1, Math.max(0, ratio));
}

/** Epoch seconds or milliseconds, or an ISO string, to ISO. */
export function toIso(value: unknown): string | null {
	if (value === null || value === undefined || value === '' || value === 0) return null;
	if (typeof value === 'string' && !/^\d+$/.test(value)) return value;
	const n = Number(value);
	if (!Number.isFinite(n) || n <= 0) return null;
	return new Date(n < 1e12 ? n * 1000 : n).toISOString();
}

export function failureOf(status: TaskStatus, error: TaskError | null): TaskError | null {
	return status === 'failed' ? error : null;
}

/** First string URL found among candidate fields, for providers whose output location is UNCONFIRMED. */
export function firstUrl(...candidates: unknown[]): string | null {
	for (const c of candidates) {
		if (typeof c === 'string' && /^https?:\/\//.test(c)) return c;
		if (Array.isArray(c)) {
			const found = firstUrl(...c);
			if (found) return found;
		}
	}
	return null;
}
