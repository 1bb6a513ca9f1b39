import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { confirmTask } from '../helpers/confirm';
import { readModel } from '../helpers/model';
import { DEFAULTS } from '../../providers';
import { providerContext } from '../helpers/context';
import type { ProviderContext } from '../helpers/context';
import { ProviderError } from '../../core/errors';
import { taskJson } from '../helpers/output';
import type { OutputMode } from '../helpers/output';
import type { ModelId, NormalizedTask } from '../../core/types';
import { videoBinary } from '../../transport/download';
import { isTerminal } from '../../transport/poll';
import { settle } from '../../core/settle';
import { isForeignBody } from '../../core/callback-body';
import { CHECK_FIELD } from './callback-watch';
import { resumeClaims } from './resume-claims';
import { parkedStartInfo } from './start-info';

/**
 * The confirming status read gets this long (retries included), so the caller has its answer before a
 * provider's own callback timeout (Kie documents 15 s) and before the watch's last check meets the timeout.
 */
const CONFIRM_MS = 10_000;
/** Asked of a provider (or the watch) when the state could not be confirmed now. */
const RETRY_AFTER_S = 10;

type Answer = { status: number; body: IDataObject };

/**
 * Answers without resuming: the execution stays waiting for the next call (n8n resumes a waiting execution
 * only when the webhook returns workflowData; n8n-reference.md §5). Never throws.
 */
function reply(ctx: IWebhookFunctions, { status, body }: Answer): IWebhookResponseData {
	try {
		const res = ctx.getResponseObject();
		if (!res.headersSent) {
			if (status >= 500) res.setHeader('Retry-After', String(RETRY_AFTER_S));
			res.status(status).json(body);
		}
	} catch {
		// the connection is gone: nothing to answer, and the execution keeps waiting either way
	}
	return { noWebhookResponse: true };
}

const refuse = (status: number, reason: string): Answer => ({
	status,
	body: { accepted: false, resumed: false, reason },
});

/** Kept waiting, and told to come again: the provider's retries (and the watch) deliver it later. */
const notNow = (reason: string): Answer => ({
	status: 503,
	body: { accepted: false, resumed: false, retry: true, reason },
});

const reasonOf = (error: Error) =>
	error instanceof ProviderError ? error.message : 'an unexpected error';

/** What the caller claims: a provider callback, or the watch's request to look the task up. */
function readClaim(
	pctx: ProviderContext,
	body: unknown,
	expected: string,
): { task?: NormalizedTask; check?: true; answer?: Answer } {
	if (isForeignBody(body)) return { answer: refuse(400, 'not a callback body of this provider') };
	if (CHECK_FIELD in (body as IDataObject)) {
		const asked = (body as IDataObject)[CHECK_FIELD];
		if (typeof asked !== 'string' || asked !== expected)
			return { answer: refuse(403, 'this execution is not waiting for that task') };
		return { check: true };
	}
	let claimed: NormalizedTask | null;
	try {
		claimed = pctx.adapter.parseCallback(body);
	} catch {
		claimed = null; // a parser that cannot read a body: not understood, like any other junk
	}
	if (!claimed || typeof claimed.taskId !== 'string')
		return { answer: refuse(400, 'not a callback body of this provider') };
	if (claimed.taskId !== expected)
		return { answer: refuse(403, 'this execution is not waiting for that task') };
	return { task: claimed };
}

/** Handles a call to the resume URL: only a terminal state confirmed by the provider's API resumes the execution. */
async function handle(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const expected = ctx.evaluateExpression('{{ $json.taskId }}', 0);
	if (typeof expected !== 'string' || expected === '')
		return reply(ctx, refuse(409, 'this execution is not waiting for a render'));
	const provider = ctx.getNodeParameter('provider', DEFAULTS.node) as string;
	const pctx = await providerContext(ctx, provider);
	const model = readModel(ctx, 0, pctx.adapter);

	const claim = readClaim(pctx, ctx.getBodyData(), expected);
	if (claim.answer) return reply(ctx, claim.answer);
	if (claim.task && !isTerminal(claim.task))
		return reply(ctx, {
			status: 200,
			body: { accepted: true, resumed: false, status: claim.task.status },
		});

	const executionId = ctx.evaluateExpression('{{ $execution.id }}', 0);
	const resume = await resumeClaims.claim(String(executionId ?? ''));
	if (!resume)
		return reply(ctx, {
			status: 200,
			body: { accepted: true, resumed: false, reason: 'an earlier call already resumed it' },
		});
	const outcome = await settle(confirmAndResume(ctx, pctx, expected, claim.task?.model, model));
	if (outcome.ok && outcome.value.workflowData) resume.commit();
	else resume.release();
	if (!outcome.ok) throw outcome.error;
	return outcome.value;
}

/** Reads the task back (providers do not sign callbacks: only their API is believed) and resumes if it ended. */
async function confirmAndResume(
	ctx: IWebhookFunctions,
	pctx: ProviderContext,
	expected: string,
	claimedModel: ModelId | undefined,
	model: ModelId,
): Promise<IWebhookResponseData> {
	const parked = ctx.evaluateExpression('{{ $json.model }}', 0);
	const taskModel: ModelId = claimedModel === 'act_one' || parked === 'act_one' ? 'act_one' : model;
	const verdict = await confirmTask(pctx, expected, taskModel, null, CONFIRM_MS);
	if ('reason' in verdict)
		return reply(
			ctx,
			notNow(`the provider's API could not confirm the task now: ${verdict.reason}`),
		);
	const task = verdict.task;
	if (verdict.kind === 'running')
		return reply(ctx, {
			status: 202,
			body: {
				accepted: true,
				resumed: false,
				status: task.status,
				reason: 'not confirmed by the API yet',
			},
		});

	const mode = ctx.getNodeParameter('output', 'task') as OutputMode;
	const item: INodeExecutionData = {
		json: { ...taskJson(task, mode), ...parkedStartInfo(ctx), timedOut: false },
	};
	if (mode === 'binary') {
		// The render is confirmed and billed: a failed download must not hide that. The workflow gets the task
		// (with its videoUrl) and the reason, and can fetch the file with the Download operation.
		const field = ctx.getNodeParameter('binaryPropertyName', 'data') as string;
		const video = await settle(videoBinary(ctx, task, field));
		if (video.ok) item.binary = video.value;
		else
			item.json.downloadError = {
				message: `The video could not be downloaded: ${reasonOf(video.error)}`,
				hint: 'The render succeeded. Use the Download operation with this taskId to fetch the video.',
			};
	}
	return {
		webhookResponse: { accepted: true, resumed: true, status: task.status },
		workflowData: [[item]],
	};
}

/**
 * The resume webhook of "Until Callback". It never throws: n8n ends a waiting execution with an error when
 * its webhook throws, so every path answers, and only a confirmed terminal state resumes.
 * - body not understood (not a JSON object, coercion traps, a parser that throws or finds no task): 400;
 *   another task: 403
 * - terminal claim the API cannot confirm now (outage, timeout): 503 + Retry-After, so a provider retries
 */
export async function callbackWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const outcome = await settle(handle(this));
	if (outcome.ok) return outcome.value;
	return reply(this, notNow(`the callback could not be processed now: ${reasonOf(outcome.error)}`));
}
