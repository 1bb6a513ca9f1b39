import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { isCallbackBody } from '../ActTwo/core/callback-body';
import { confirmTask } from '../ActTwo/actions/helpers/confirm';
import { credentialSecrets, providerContext } from '../ActTwo/actions/helpers/context';
import { taskJson } from '../ActTwo/actions/helpers/output';
import { adapterFor } from '../ActTwo/providers';
import type { NormalizedTask, ProviderAdapter } from '../ActTwo/core/types';
import { videoBinary } from '../ActTwo/transport/download';
import { maskSecrets } from '../ActTwo/transport/http';
import { isTerminal } from '../ActTwo/transport/poll';
import { settle } from '../ActTwo/core/settle';
import { deliveries } from './dedupe';
import { callbackSecret } from './secret';
import { safeEqual } from '../ActTwo/core/safe-equal';

type Events = 'finished' | 'succeeded' | 'failed';

/** How long the confirming read may take: callback senders stop waiting for an answer after 10-30 s. */
const CONFIRM_MS = 5_000;
const MAX_TASK_ID = 256;

function respond(
	ctx: IWebhookFunctions,
	status: number,
	body: IDataObject,
	headers: Record<string, string> = {},
): IWebhookResponseData {
	const res = ctx.getResponseObject();
	for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

const reject = (ctx: IWebhookFunctions, status: number, reason: string) =>
	respond(ctx, status, { received: false, reason });

function wanted(task: NormalizedTask, events: Events, includeProgress: boolean): boolean {
	if (!isTerminal(task)) return includeProgress;
	if (events === 'succeeded') return task.status === 'succeeded';
	if (events === 'failed') return task.status !== 'succeeded';
	return true;
}

/** A provider's reason for not knowing a task, as opposed to an outage: the callback is not genuine. */
/**
 * Handles one call of the trigger's URL. Every path answers: a throw here would be an HTTP 500 and an error
 * execution (and the instance's error workflow), so anything unforeseen is answered 400 and starts nothing.
 */
export async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		return await receive(this);
	} catch {
		if (this.getResponseObject().headersSent) return { noWebhookResponse: true };
		return reject(this, 400, 'the callback could not be processed');
	}
}

/** Checks, in order: URL secret, provider signature, body shape, event filter, duplicates, the provider's own word. */
async function receive(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const provider = ctx.getNodeParameter('provider') as string;
	const adapter = adapterFor(provider);
	const events = ctx.getNodeParameter('events', 'finished') as Events;
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const hasCredential = Boolean(ctx.getNode().credentials?.[adapter.credentialType]);
	const credentials = hasCredential ? await ctx.getCredentials(adapter.credentialType) : {};

	const secret = callbackSecret(ctx, credentials);
	const given = ctx.getQueryData() as IDataObject;
	if (!secret || typeof given.secret !== 'string' || !safeEqual(given.secret, secret))
		return reject(ctx, 401, secret ? 'missing or wrong secret' : 'the trigger has no secret set');

	const body: unknown = ctx.getBodyData();
	if (!isCallbackBody(body)) return reject(ctx, 400, `not a ${adapter.displayName} callback body`);
	const signed = adapter.verifyCallback?.(ctx.getHeaderData() as IDataObject, body, credentials);
	if (signed && !signed.ok) return reject(ctx, 401, signed.reason);

	const claimed = parse(adapter, body);
	if (!claimed) return reject(ctx, 400, `not a ${adapter.displayName} callback body`);
	if (!wanted(claimed, events, options.includeProgress === true)) {
		return respond(ctx, 200, {
			received: true,
			started: false,
			reason: `status ${claimed.status} is filtered out`,
		});
	}

	const key = `${claimed.provider}:${claimed.taskId}:${claimed.status}:${isTerminal(claimed) ? '' : String(claimed.progress)}`;
	const claim = await deliveries.claim(
		`${ctx.getWorkflow().id ?? ''}/${ctx.getNode().id}`,
		key,
		ctx.getWorkflowStaticData('node') as IDataObject,
	);
	if (!claim)
		return respond(ctx, 200, { received: true, started: false, reason: 'duplicate delivery' });

	let task = claimed;
	let confirmed = false;
	if (options.confirm !== false && hasCredential) {
		const verdict = await settle(confirm(ctx, provider, claimed, credentials));
		if (!verdict.ok) {
			claim.release();
			return reject(ctx, 400, 'the callback could not be confirmed');
		}
		const outcome = verdict.value;
		if (outcome.kind === 'answered') {
			claim.release();
			return outcome.answer;
		}
		task = { ...outcome.task, replyRef: outcome.task.replyRef ?? claimed.replyRef };
		confirmed = true;
	}

	// Providers echo the callback URL they were given, secret included: none of it reaches the execution.
	const item: INodeExecutionData = {
		json: maskSecrets({ ...taskJson(task), replyRef: task.replyRef, confirmed, callback: body }, [
			secret,
			...credentialSecrets(credentials),
		]),
	};
	claim.commit();
	// The answer is written here, and n8n told there is none to send: n8n then saves the static data the ledger
	// wrote before it starts the run. Left to n8n (onReceived), the run's start re-wraps the same static data
	// object and clears its changed flag first, so in queue mode nothing was saved (n8n 2.39).
	ctx.getResponseObject().status(200).json({ received: true, started: true });
	if (options.download === true && task.status === 'succeeded' && task.outputs[0]) {
		// Downloads take longer than callback senders wait, so this comes after the answer. A download that fails
		// still starts the workflow, with the reason, so the event is never lost.
		const field = String(options.binaryPropertyName ?? 'data');
		const binary = await settle(videoBinary(ctx, task, field));
		if (binary.ok) item.binary = binary.value;
		else
			item.json.downloadError = {
				message: `The video could not be downloaded: ${binary.error.message}`,
				hint: 'The render succeeded. Use the Download operation with this taskId to fetch the video.',
			};
	}
	return { noWebhookResponse: true, workflowData: [[item]] };
}

/** The adapter's reading of the body, or null for anything it cannot vouch for. */
function parse(adapter: ProviderAdapter, body: IDataObject): NormalizedTask | null {
	let task: NormalizedTask | null;
	try {
		task = adapter.parseCallback(body);
	} catch {
		return null;
	}
	if (!task || typeof task.taskId !== 'string') return null;
	if (task.taskId.length > MAX_TASK_ID || !/^[!-~]+$/.test(task.taskId)) return null;
	return task;
}

/**
 * The provider's own word on a claim. A task it does not know, or that ended otherwise, is not genuine (403).
 * A read that fails for other reasons, or a provider that does not show the claimed end yet, cannot confirm
 * now: 503, so a provider that retries its callbacks retries, and nothing is remembered.
 */
async function confirm(
	ctx: IWebhookFunctions,
	provider: string,
	claimed: NormalizedTask,
	credentials: ICredentialDataDecryptedObject,
): Promise<
	{ kind: 'confirmed'; task: NormalizedTask } | { kind: 'answered'; answer: IWebhookResponseData }
> {
	const pctx = await providerContext(ctx, provider, credentials);
	const verdict = await confirmTask(pctx, claimed.taskId, claimed.model, claimed, CONFIRM_MS);
	const id = claimed.taskId;
	const answer = (a: IWebhookResponseData) => ({ kind: 'answered' as const, answer: a });
	const later = (reason: string) =>
		answer(respond(ctx, 503, { received: false, reason }, { 'Retry-After': '30' }));
	switch (verdict.kind) {
		case 'unknown':
			return answer(reject(ctx, 403, `the provider does not confirm task ${id}`));
		case 'later':
			return later(`the provider's API cannot confirm task ${id} now; try again later`);
		case 'contradicted':
			return answer(reject(ctx, 403, `the provider says task ${id} is ${verdict.task.status}`));
		case 'running':
			if (isTerminal(claimed))
				return later(`the provider's API does not show task ${id} as ended yet`);
			return { kind: 'confirmed', task: verdict.task };
		default:
			return { kind: 'confirmed', task: verdict.task };
	}
}
