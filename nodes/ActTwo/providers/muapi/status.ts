import type { TaskStatus } from '../../core/types';
import { lookup, scalar } from '../common/status';

/**
 * Muapi's prediction statuses (providers.md 7 B.5), with the spellings third-party clients also accept.
 * Unknown values count as running: a prediction that answers is past its queue.
 */
const MUAPI: Record<string, TaskStatus> = {
	queued: 'queued',
	pending: 'queued',
	processing: 'running',
	completed: 'succeeded',
	succeeded: 'succeeded',
	success: 'succeeded',
	failed: 'failed',
	error: 'failed',
	timeout: 'failed',
	cancelled: 'cancelled',
	canceled: 'cancelled',
};

export const mapMuapiStatus = (s: unknown): TaskStatus =>
	lookup(MUAPI, scalar(s)?.toLowerCase()) ?? 'running';

/** Whether a value is one of Muapi's status words: a callback with any other status is not understood. */
export const isMuapiStatus = (s: unknown) => lookup(MUAPI, scalar(s)?.toLowerCase()) !== null;
