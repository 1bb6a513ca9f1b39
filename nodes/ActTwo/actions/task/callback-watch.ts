import { sleep } from 'n8n-workflow';
import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { settle } from '../../core/settle';

/** The body the watch posts to the resume URL: "look this task up now" (the webhook believes only the API). */
export const CHECK_FIELD = 'actTwoCheck';

/** The watch looks about ten times per wait, at most every 15 s and at least every 5 min. */
export function checkEveryMs(timeoutMs: number): number {
	return Math.min(300_000, Math.max(15_000, Math.round(timeoutMs / 10)));
}
/**
 * The last look comes this long before the timeout, so its answer (the confirming read takes at most 10 s)
 * is in before n8n's timer resumes the execution with the parked item.
 */
export const LAST_LOOK_BEFORE_MS = 15_000;
/** Its own resume URL refused this many times in a row: n8n cannot reach itself there, the watch stops. */
const MAX_UNREACHABLE = 3;

/**
 * What the resume URL's answer means for the watch: 202 (not ended yet) and 5xx (could not confirm now)
 * mean look again; 200 means resumed; any 4xx means the execution is no longer waiting for this task
 * (finished, cancelled, deleted, resumed by the provider's callback: n8n answers 409/404).
 */
export function watchGoesOn(status: number): boolean {
	return status === 202 || status >= 500;
}

/**
 * A safety net for a lost final callback (a provider that gave up retrying, a callback lost on the way).
 * n8n resumes a timed-out wait without running the node again (the waiting node is passed through with its
 * parked item), so nothing of the node runs at the timeout. The process that parked the execution asks its
 * own resume URL to look the task up now and then; the resume webhook reads the provider's API and resumes
 * the execution only with a confirmed final state, exactly as for a provider's callback.
 *
 * It lives in this process only: after an n8n restart, the provider's callbacks and the timeout remain.
 * Never throws; runs detached.
 */
export async function watchForLostCallback(
	ctx: IExecuteFunctions,
	resumeUrl: string,
	taskId: string,
	deadline: number,
	signal?: AbortSignal,
): Promise<void> {
	const lastLook = deadline - LAST_LOOK_BEFORE_MS;
	const every = checkEveryMs(deadline - Date.now());
	let unreachable = 0;
	for (;;) {
		const now = Date.now();
		if (now >= lastLook) return;
		const slept = await settle(sleep(Math.min(every, lastLook - now), signal));
		if (!slept.ok || signal?.aborted) return;
		const answer = await settle(
			ctx.helpers.httpRequest({
				method: 'POST',
				url: resumeUrl,
				body: { [CHECK_FIELD]: taskId },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30_000,
			}) as Promise<IN8nHttpFullResponse>,
		);
		if (!answer.ok) {
			if (++unreachable >= MAX_UNREACHABLE) return;
			continue;
		}
		unreachable = 0;
		if (!watchGoesOn(answer.value.statusCode)) return;
	}
}
