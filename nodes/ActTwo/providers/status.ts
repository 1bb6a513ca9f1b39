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

const lookup = (table: Record<string, TaskStatus>, key: unknown): TaskStatus =>
	table[String(key ?? '')] ?? 'queued';

export const mapRunwayStatus = (s: unknown) => lookup(RUNWAY, String(s ?? '').toUpperCase());
export const mapGatewayStatus = (s: unknown) => lookup(GATEWAY, String(s ?? '').toUpperCase());
export const mapCometLegacyStatus = (status: unknown, state?: unknown) =>
	state !== undefined && state !== null && LEGACY_STATE[String(state).toLowerCase()]
		? LEGACY_STATE[String(state).toLowerCase()]
		: lookup(COMET_LEGACY, status);
export const mapJobsState = (s: unknown) => lookup(JOBS, String(s ?? '').toLowerCase());
