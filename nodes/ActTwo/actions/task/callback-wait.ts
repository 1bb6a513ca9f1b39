import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { providerContext } from '../../shared/context';
import type { ProviderContext } from '../../shared/context';
import { taskJson } from '../../shared/output';
import type { OutputMode } from '../../shared/output';
import type { ModelId, NormalizedTask } from '../../providers/types';
import { videoBinary } from '../../transport/download';
import { isTerminal } from '../../transport/poll';
import { settle } from '../../transport/settle';
import { readOutputSettings, readWaitSettings, waitAndOutput } from './finish';

/** The resume webhook for "Until Callback": the provider posts to $execution.resumeUrl. */
export const callbackResumeWebhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: '',
		restartWebhook: true,
	},
];

/**
 * Parks the execution after the render started. The waiting node's input item is what n8n keeps with the
 * waiting execution (and what a timeout resume passes on), so the started task is written into it: the
 * webhook reads the task ID it must accept from there, and a timeout resumes with the task, timedOut: true.
 */
export async function startCallbackWait(
	ctx: IExecuteFunctions,
	pctx: ProviderContext,
	started: Array<{ itemIndex: number; task: NormalizedTask }>,
	errors: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	if (started.length === 0) return errors;
	// A render that already ended (an instant input-moderation failure, say) may have called back before
	// n8n stored the execution as waiting, and n8n answers such early callbacks 409: read it once first.
	const current = await settle(
		pctx.adapter.get(pctx.client, started[0].task.taskId, started[0].task.model),
	);
	if (current.ok && isTerminal(current.value)) {
		const settings = { ...readWaitSettings(ctx, false), timeoutMs: 0 };
		return await waitAndOutput(
			ctx,
			pctx,
			[{ itemIndex: 0, task: current.value }],
			settings,
			readOutputSettings(ctx),
			1,
		);
	}
	const task = current.ok ? current.value : started[0].task;
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const timeoutMs = Number(options.timeoutMinutes ?? 10) * 60_000;
	const item = ctx.getInputData()[0];
	for (const key of Object.keys(item.json)) delete item.json[key];
	Object.assign(item.json, taskJson(task, 'task'), {
		timedOut: true,
		waitingSince: new Date().toISOString(),
	});
	delete item.binary;
	await ctx.putExecutionToWait(new Date(Date.now() + timeoutMs));
	return [{ json: item.json, pairedItem: { item: 0 } }];
}

/** Answers without resuming: the execution stays waiting for the next call. */
function reply(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/** Handles a callback on the resume URL: only a confirmed terminal state of the awaited task resumes the execution. */
export async function callbackWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const provider = this.getNodeParameter('provider', 'runway') as string;
	const model = (this.getNodeParameter('model', 'act_two') as ModelId) ?? 'act_two';
	const pctx = await providerContext(this, provider);
	const claimed = pctx.adapter.parseCallback(this.getBodyData());
	if (!claimed)
		return reply(this, 400, { accepted: false, reason: 'not a callback body of this provider' });
	const expected = String(this.evaluateExpression('{{ $json.taskId }}', 0) ?? '');
	if (!expected || claimed.taskId !== expected) {
		return reply(this, 403, {
			accepted: false,
			reason: 'this execution is not waiting for that task',
		});
	}
	if (!isTerminal(claimed))
		return reply(this, 200, { accepted: true, resumed: false, status: claimed.status });

	// Providers do not sign callbacks: believe only the provider's API.
	const task = await pctx.adapter.get(
		pctx.client,
		expected,
		claimed.model === 'act_one' ? 'act_one' : model,
	);
	if (!isTerminal(task))
		return reply(this, 202, {
			accepted: true,
			resumed: false,
			status: task.status,
			reason: 'not confirmed by the API yet',
		});

	const mode = this.getNodeParameter('output', 'task') as OutputMode;
	const item: INodeExecutionData = { json: { ...taskJson(task, mode), timedOut: false } };
	if (mode === 'binary') {
		item.binary = await videoBinary(
			this,
			task,
			this.getNodeParameter('binaryPropertyName', 'data') as string,
		);
	}
	return {
		webhookResponse: { accepted: true, resumed: true, status: task.status },
		workflowData: [[item]],
	};
}
