import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookDescription,
} from 'n8n-workflow';

import type { ProviderContext } from '../helpers/context';
import { taskJson } from '../helpers/output';
import type { NormalizedTask } from '../../core/types';
import { isTerminal } from '../../transport/poll';
import { settle } from '../../core/settle';
import { watchForLostCallback } from './callback-watch';
import { readOutputSettings, readWaitSettings, waitAndOutput } from './finish';

export { callbackWebhook } from './callback-webhook';

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
 * A watch in this process catches a lost final callback before the timeout (callback-watch.ts).
 */
export async function startCallbackWait(
	ctx: IExecuteFunctions,
	pctx: ProviderContext,
	started: Array<{ itemIndex: number; task: NormalizedTask }>,
	errors: INodeExecutionData[],
	/** capacityWaitMs, the credit estimate, the preflight note: kept with the parked item for the resume. */
	startInfo: IDataObject = {},
): Promise<INodeExecutionData[]> {
	if (started.length === 0) return errors;
	// A render that already ended (an instant input-moderation failure, say) may have called back before
	// n8n stored the execution as waiting, and n8n answers such early callbacks 409: read it once first.
	const current = await settle(
		pctx.adapter.get(pctx.client, started[0].task.taskId, started[0].task.model),
	);
	if (current.ok && isTerminal(current.value)) {
		const settings = { ...readWaitSettings(ctx, false), timeoutMs: 0 };
		const [done] = await waitAndOutput(
			ctx,
			pctx,
			[{ itemIndex: 0, task: current.value }],
			settings,
			readOutputSettings(ctx),
			1,
		);
		if (typeof done.json.error !== 'string') Object.assign(done.json, startInfo);
		return [done];
	}
	const task = current.ok ? current.value : started[0].task;
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const timeoutMs = Number(options.timeoutMinutes ?? 10) * 60_000;
	const item = ctx.getInputData()[0];
	for (const key of Object.keys(item.json)) delete item.json[key];
	Object.assign(item.json, taskJson(task, 'task'), startInfo, {
		timedOut: true,
		waitingSince: new Date().toISOString(),
	});
	delete item.binary;
	const deadline = Date.now() + timeoutMs;
	await ctx.putExecutionToWait(new Date(deadline));
	const resumeUrl = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0);
	if (typeof resumeUrl === 'string' && resumeUrl)
		void watchForLostCallback(ctx, resumeUrl, task.taskId, deadline, pctx.signal);
	return [{ json: item.json, pairedItem: { item: 0 } }];
}
