import type { TaskStatus } from './types';

/** Every provider's status vocabulary mapped in one place (README "Status mapping"). Unknown values count as queued. */
const RUNWAY: Record<string, TaskStatus> = {
	PENDING: 'queued',
	THROTTLED: 'queued',
	RUNNING: 'running',
	SUCCEEDED: 'succeeded',
	FAILED: 'failed',
	CANCELLED: 'cancelled',
};

/** new-api gateway wrapper used by CometAPI (INFERRED from QuantumNous/new-api). */
const GATEWAY: Record<string, TaskStatus> = {
	NOT_START: 'queued',
	SUBMITTED: 'queued',
	QUEUED: 'queued',
	UNKNOWN: 'queued',
	IN_PROGRESS: 'running',
	SUCCESS: 'succeeded',
	FAILURE: 'failed',
};

/** CometAPI legacy feed: numeric strings. 2 = failed, 3 = succeeded (providers.md 3.2). */
const COMET_LEGACY: Record<string, TaskStatus> = {
	'0': 'queued',
	'1': 'running',
	'2': 'failed',
	'3': 'succeeded',
};

const LEGACY_STATE: Record<string, TaskStatus> = {
	queued: 'queued',
	pending: 'queued',
	processing: 'running',
	running: 'running',
	succeeded: 'succeeded',
	success: 'succeeded',
	failed: 'failed',
	failure: 'failed',
};

/** LiangXin / Kie market jobs. */
const JOBS: Record<string, TaskStatus> = {
	waiting: 'queued',
	queuing: 'queued',
	generating: 'running',
	success: 'succeeded',
	fail: 'failed',
};

/** Only a scalar counts as a status: an array such as ["SUCCEEDED"] or an object is no status at all. */
const scalar = (s: unknown): string | null =>
	typeof s === 'string' ? s : typeof s === 'number' && Number.isFinite(s) ? String(s) : null;

/** Own keys only: "constructor" or "__proto__" must not find Object.prototype's members. */
const lookup = (
	table: Record<string, TaskStatus>,
	key: string | null | undefined,
): TaskStatus | null =>
	key !== null && key !== undefined && Object.prototype.hasOwnProperty.call(table, key)
		? table[key]
		: null;

export const mapRunwayStatus = (s: unknown): TaskStatus =>
	lookup(RUNWAY, scalar(s)?.toUpperCase()) ?? 'queued';
export const mapGatewayStatus = (s: unknown): TaskStatus =>
	lookup(GATEWAY, scalar(s)?.toUpperCase()) ?? 'queued';
/** A known `state` word (some backends add it) wins over the numeric `status`. */
export const mapCometLegacyStatus = (status: unknown, state?: unknown): TaskStatus =>
	lookup(LEGACY_STATE, scalar(state)?.toLowerCase()) ??
	lookup(COMET_LEGACY, scalar(status)) ??
	'queued';
export const mapJobsState = (s: unknown): TaskStatus =>
	lookup(JOBS, scalar(s)?.toLowerCase()) ?? 'queued';

/** Whether a value is one of the documented status words: a callback with any other status is not understood. */
export const isRunwayStatus = (s: unknown) => lookup(RUNWAY, scalar(s)?.toUpperCase()) !== null;
export const isGatewayStatus = (s: unknown) => lookup(GATEWAY, scalar(s)?.toUpperCase()) !== null;
export const isCometLegacyStatus = (status: unknown, state?: unknown) =>
	lookup(LEGACY_STATE, scalar(state)?.toLowerCase()) !== null ||
	lookup(COMET_LEGACY, scalar(status)) !== null;
export const isJobsState = (s: unknown) => lookup(JOBS, scalar(s)?.toLowerCase()) !== null;
