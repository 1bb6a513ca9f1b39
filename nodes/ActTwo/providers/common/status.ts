import type { TaskStatus } from '../../core/types';

/** Runway's status vocabulary, also spoken by useapi.net and CometAPI's Runway-format route (README "Status mapping"). Unknown values count as queued. */
const RUNWAY: Record<string, TaskStatus> = {
	PENDING: 'queued',
	THROTTLED: 'queued',
	RUNNING: 'running',
	SUCCEEDED: 'succeeded',
	FAILED: 'failed',
	CANCELLED: 'cancelled',
};

/** Only a scalar counts as a status: an array such as ["SUCCEEDED"] or an object is no status at all. */
export const scalar = (s: unknown): string | null =>
	typeof s === 'string' ? s : typeof s === 'number' && Number.isFinite(s) ? String(s) : null;

/** Own keys only: "constructor" or "__proto__" must not find Object.prototype's members. */
export const lookup = (
	table: Record<string, TaskStatus>,
	key: string | null | undefined,
): TaskStatus | null =>
	key !== null && key !== undefined && Object.prototype.hasOwnProperty.call(table, key)
		? table[key]
		: null;

export const mapRunwayStatus = (s: unknown): TaskStatus =>
	lookup(RUNWAY, scalar(s)?.toUpperCase()) ?? 'queued';

/** Whether a value is one of the documented status words: a callback with any other status is not understood. */
export const isRunwayStatus = (s: unknown) => lookup(RUNWAY, scalar(s)?.toUpperCase()) !== null;
