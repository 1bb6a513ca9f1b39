/**
 * Runway's credits on tasks (SDK 4.14.0+ types, providers.md 1 "Update 2026-12-01"): the create answer and
 * PENDING/THROTTLED/RUNNING tasks carry `estimatedCost: { credits }`, SUCCEEDED/FAILED/CANCELLED carry
 * `cost: { credits }`. Act-Two costs 5 credits per second of output, as long as the reference video.
 * Simulator choices where Runway says nothing (UNCONFIRMED): a started second is billed whole; a reference
 * of unknown length (an https URL the simulator cannot fetch) is estimated at the 30 s maximum; a succeeded
 * task and an input-moderation failure (SAFETY.INPUT, "not refundable") are charged the estimate; other
 * failures and cancellations are refunded (0).
 */
import type { SimTask } from '../types';

export const RUNWAY_CREDITS_PER_SECOND = 5;
const MAX_REFERENCE_SECONDS = 30;

/** The most a render of a reference this long may charge. */
export function runwayEstimate(referenceSeconds: number | null): number {
	const seconds = referenceSeconds ?? MAX_REFERENCE_SECONDS;
	return RUNWAY_CREDITS_PER_SECOND * Math.ceil(seconds - 1e-6);
}

/** The credit fields of a task's answer (merged into the Runway task object). */
export function runwayCostFields(task: SimTask): Record<string, unknown> {
	const estimate = Number(task.extra.estimatedCredits ?? runwayEstimate(null));
	switch (task.phase) {
		case 'queued':
		case 'throttled':
		case 'running':
			return { estimatedCost: { credits: estimate } };
		case 'succeeded':
			return { cost: { credits: estimate } };
		case 'failed':
			return { cost: { credits: task.failure?.kind === 'moderation' ? estimate : 0 } };
		case 'cancelled':
		default:
			return { cost: { credits: 0 } };
	}
}

/** GET /v1/organization's tier limits: numbers, or null for unlimited (SDK 4.20.1). */
export function runwayTierLimits(
	concurrency: number | undefined,
	unlimited: boolean,
): { maxConcurrentGenerations: number | null; maxDailyGenerations: number | null } {
	if (unlimited) return { maxConcurrentGenerations: null, maxDailyGenerations: null };
	return {
		maxConcurrentGenerations: Number.isFinite(concurrency) ? (concurrency as number) : 20,
		maxDailyGenerations: 200,
	};
}
