import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { providerContext } from '../ActTwo/shared/context';
import { taskJson } from '../ActTwo/shared/output';
import { adapterFor } from '../ActTwo/providers';
import type { NormalizedTask } from '../ActTwo/providers/types';
import { videoBinary } from '../ActTwo/transport/download';
import { isTerminal } from '../ActTwo/transport/poll';
import { settle } from '../ActTwo/transport/settle';
import { firstDelivery } from './dedupe';
import { safeEqual, verifyKieSignature } from './security';

type Events = 'finished' | 'succeeded' | 'failed';

function respond(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

function wanted(task: NormalizedTask, events: Events, includeProgress: boolean): boolean {
	if (!isTerminal(task)) return includeProgress;
	if (events === 'succeeded') return task.status === 'succeeded';
	if (events === 'failed') return task.status !== 'succeeded';
	return true;
}

/** Checks, in order: URL secret, provider signature, body shape, event filter, the provider's own word, duplicates. */
export async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const provider = this.getNodeParameter('provider') as string;
	const adapter = adapterFor(provider);
	const secret = this.getNodeParameter('secret', '') as string;
	const events = this.getNodeParameter('events', 'finished') as Events;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const query = this.getQueryData() as IDataObject;
	if (!secret || !safeEqual(String(query.secret ?? ''), secret)) {
		return respond(this, 401, { received: false, reason: 'missing or wrong secret' });
	}

	const body = this.getBodyData() as IDataObject;
	const hasCredential = Boolean(this.getNode().credentials?.[adapter.credentialType]);
	if (provider === 'liangxin' && hasCredential) {
		const credentials = await this.getCredentials(adapter.credentialType);
		const key = String(credentials.webhookHmacSecret ?? '');
		if (key) {
			const check = verifyKieSignature(this.getHeaderData() as IDataObject, body, key);
			if (!check.ok) return respond(this, 401, { received: false, reason: check.reason });
		}
	}

	const claimed = adapter.parseCallback(body);
	if (!claimed || !claimed.taskId)
		return respond(this, 400, {
			received: false,
			reason: `not a ${adapter.displayName} callback body`,
		});
	if (!wanted(claimed, events, options.includeProgress === true)) {
		return respond(this, 200, {
			received: true,
			started: false,
			reason: `status ${claimed.status} is filtered out`,
		});
	}

	let task = claimed;
	let confirmed = false;
	if (options.confirm !== false && hasCredential) {
		const pctx = await providerContext(this, provider);
		const read = await settle(pctx.adapter.get(pctx.client, claimed.taskId, claimed.model));
		if (!read.ok)
			return respond(this, 403, {
				received: false,
				reason: `the provider does not confirm task ${claimed.taskId}`,
			});
		if (read.value.status !== claimed.status && isTerminal(claimed)) {
			return respond(this, 403, {
				received: false,
				reason: `the provider says task ${claimed.taskId} is ${read.value.status}`,
			});
		}
		task = { ...read.value, replyRef: read.value.replyRef ?? claimed.replyRef };
		confirmed = true;
	}

	if (
		!firstDelivery(
			this.getWorkflowStaticData('node') as IDataObject,
			`${task.provider}:${task.taskId}:${task.status}:${isTerminal(task) ? '' : String(task.progress)}`,
		)
	) {
		return respond(this, 200, { received: true, started: false, reason: 'duplicate delivery' });
	}

	const item: INodeExecutionData = {
		json: {
			...taskJson(task),
			replyRef: task.replyRef ?? (body.replyRef as string) ?? null,
			confirmed,
			callback: body,
		},
	};
	if (options.download === true && task.status === 'succeeded' && task.outputs[0]) {
		// Answer the provider first: downloads take longer than callback senders wait.
		this.getResponseObject().status(200).json({ received: true, started: true });
		item.binary = await videoBinary(this, task, String(options.binaryPropertyName ?? 'data'));
		return { noWebhookResponse: true, workflowData: [[item]] };
	}
	return { webhookResponse: { received: true, started: true }, workflowData: [[item]] };
}
