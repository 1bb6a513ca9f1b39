import type { TaskStatus } from '../../core/types';
import { lookup, scalar } from '../common/status';

/**
 * AIML API's generation statuses (providers.md 7 A.3): the four documented ones, plus `waiting`/`active`
 * from older examples, `succeeded`/`success` from other models' pages and `failed`/`processing` defensively.
 * Anything else is still running: the poll goes on until its timeout.
 */
const AIML: Record<string, TaskStatus> = {
	queued: 'queued',
	waiting: 'queued',
	generating: 'running',
	active: 'running',
	processing: 'running',
	completed: 'succeeded',
	succeeded: 'succeeded',
	success: 'succeeded',
	error: 'failed',
	failed: 'failed',
};

export const mapAimlStatus = (s: unknown): TaskStatus =>
	lookup(AIML, scalar(s)?.toLowerCase()) ?? 'running';
