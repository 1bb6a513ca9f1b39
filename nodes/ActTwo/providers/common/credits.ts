import { asObject, costOf } from './task';
import { TERMINAL_STATUSES } from '../../core/types';
import type { TaskCost, TaskStatus } from '../../core/types';

/**
 * Credits in Runway's task shape (SDK 4.14+): `cost.credits` once a task ended (0 when refunded),
 * `estimatedCost.credits` (the most it may charge) before. A terminal answer that carries only the estimate
 * gives the estimate, not as final; an answer with neither (older API versions) gives null.
 */
export function runwayShapeCredits(body: unknown, status: TaskStatus): TaskCost | null {
	const t = asObject(body);
	const estimate = costOf(asObject(t.estimatedCost).credits, 'credits', false);
	if (!TERMINAL_STATUSES.includes(status)) return estimate;
	return costOf(asObject(t.cost).credits, 'credits', true) ?? estimate;
}
