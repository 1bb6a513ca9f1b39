import type { TaskStatus } from '../../core/types';
import { lookup, scalar } from '../common/status';

/** LiangXin / Kie market jobs. */
const JOBS: Record<string, TaskStatus> = {
	waiting: 'queued',
	queuing: 'queued',
	generating: 'running',
	success: 'succeeded',
	fail: 'failed',
};

/** A record's status: a documented state, or failed when the envelope's code is 501, Kie's "generation failed" (providers.md 4.2), in callbacks and records alike. */
export const mapJobsState = (state: unknown, code: number | null = null): TaskStatus =>
	code === 501 ? 'failed' : (lookup(JOBS, scalar(state)?.toLowerCase()) ?? 'queued');
/** Whether a callback states its outcome: a documented state, or (state left out) the failure code 501. */
export const isJobsState = (state: unknown, code: number | null = null) =>
	lookup(JOBS, scalar(state)?.toLowerCase()) !== null || (state === undefined && code === 501);
