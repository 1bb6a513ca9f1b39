import type { TaskStatus } from '../../core/types';
import { lookup, scalar } from '../common/status';

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

export const mapGatewayStatus = (s: unknown): TaskStatus =>
	lookup(GATEWAY, scalar(s)?.toUpperCase()) ?? 'queued';
/** A known `state` word (some backends add it) wins over the numeric `status`. */
export const mapCometLegacyStatus = (status: unknown, state?: unknown): TaskStatus =>
	lookup(LEGACY_STATE, scalar(state)?.toLowerCase()) ??
	lookup(COMET_LEGACY, scalar(status)) ??
	'queued';
export const isGatewayStatus = (s: unknown) => lookup(GATEWAY, scalar(s)?.toUpperCase()) !== null;
export const isCometLegacyStatus = (status: unknown, state?: unknown) =>
	lookup(LEGACY_STATE, scalar(state)?.toLowerCase()) !== null ||
	lookup(COMET_LEGACY, scalar(status)) !== null;
