import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ProviderContext } from '../helpers/context';
import { ProviderError, renderFailedError } from '../../core/errors';
import { errorItem, toNodeError } from '../helpers/items';
import { taskJson } from '../helpers/output';
import { runsAsAgentTool } from '../helpers/tool';
import type { OutputMode } from '../helpers/output';
import type { NormalizedTask } from '../../core/types';
import { videoBinary } from '../../transport/download';
import { withDeadline } from '../../transport/http';
import { mapWithConcurrency } from '../../core/limit';
import { pollTasks } from '../../transport/poll';
import type { PollResult } from '../../transport/poll';

export interface WaitSettings {
	intervalMs: number;
	jitterMs: number;
	timeoutMs: number;
	onTimeout: 'error' | 'output';
	initialDelay: boolean;
}

export interface OutputSettings {
	mode: OutputMode;
	binaryPropertyName: string;
}

export function readWaitSettings(ctx: IExecuteFunctions, initialDelay: boolean): WaitSettings {
	const o = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		intervalMs: Number(o.pollInterval ?? 6) * 1000,
		jitterMs: Number(o.pollJitter ?? 1.5) * 1000,
		timeoutMs: Number(o.timeoutMinutes ?? 10) * 60_000,
		onTimeout: (o.onTimeout as 'error' | 'output') ?? 'error',
		initialDelay,
	};
}

export function readOutputSettings(ctx: IExecuteFunctions): OutputSettings {
	// An AI agent gets URLs: binary data does not cross the tool boundary.
	const mode = runsAsAgentTool(ctx)
		? 'url'
		: (ctx.getNodeParameter('output', 0, 'task') as OutputMode);
	return {
		mode,
		binaryPropertyName: ctx.getNodeParameter('binaryPropertyName', 0, 'data') as string,
	};
}

export function timeoutError(
	task: NormalizedTask,
	timeoutMs: number,
	readError?: Error,
): ProviderError {
	return new ProviderError(
		task.provider,
		{
			code: 'timeout',
			message: `Task ${task.taskId} did not finish within ${+(timeoutMs / 60_000).toFixed(2)} minutes (last status: ${task.status})${readError ? `; its last status read failed: ${readError.message}` : ''}`,
			category: 'timeout',
			retryable: true,
		},
		null,
		task.raw,
	);
}

export function failedTaskError(task: NormalizedTask): ProviderError {
	const detail = task.error ?? {
		code: task.status,
		message: `Task ${task.taskId} ended as ${task.status}`,
		category: 'provider' as const,
		retryable: false,
	};
	return renderFailedError(task.provider, detail, task.raw);
}

/** One task's final output items, downloading the video when asked. Throws for failed, cancelled or timed-out tasks. */
export async function outputForResult(
	ctx: IExecuteFunctions,
	pctx: ProviderContext,
	result: PollResult,
	output: OutputSettings,
	wait: Pick<WaitSettings, 'onTimeout' | 'timeoutMs'>,
): Promise<INodeExecutionData> {
	if (result.kind === 'error') throw result.error;
	const task = result.task;
	if (result.kind === 'timeout') {
		if (wait.onTimeout === 'error') throw timeoutError(task, wait.timeoutMs, result.readError);
		return { json: { ...taskJson(task, output.mode), timedOut: true } };
	}
	if (task.status !== 'succeeded') throw failedTaskError(task);
	const item: INodeExecutionData = { json: { ...taskJson(task, output.mode), timedOut: false } };
	if (output.mode === 'binary')
		item.binary = await videoBinary(ctx, task, output.binaryPropertyName, pctx.signal);
	return item;
}

/**
 * Polls started tasks together, then shapes each item's output. Returns one entry per slot (null slots stay
 * null); errors become error items under Continue On Fail or are thrown with the item's index.
 */
export async function waitAndOutput(
	ctx: IExecuteFunctions,
	pctx: ProviderContext,
	tasks: Array<{ itemIndex: number; task: NormalizedTask }>,
	wait: WaitSettings,
	output: OutputSettings,
	concurrency: number,
): Promise<INodeExecutionData[]> {
	const results = await pollTasks(
		tasks.map((t) => t.task),
		async (task, deadline) =>
			await pctx.adapter.get(withDeadline(pctx.client, deadline), task.taskId, task.model),
		{ ...wait, concurrency, signal: pctx.signal },
	);
	// Each task's last known state, for a caller that reports on the batch after an error.
	results.forEach((result, n) => (tasks[n].task = result.task));
	const continueOnFail = ctx.continueOnFail();
	const out = await mapWithConcurrency(
		results,
		concurrency,
		async (result, n): Promise<INodeExecutionData> => {
			const itemIndex = tasks[n].itemIndex;
			try {
				return {
					...(await outputForResult(ctx, pctx, result, output, wait)),
					pairedItem: { item: itemIndex },
				};
			} catch (error) {
				const nodeError = toNodeError(ctx, error, itemIndex);
				if (!continueOnFail) throw nodeError;
				return errorItem(nodeError, itemIndex, { task: taskJson(result.task) });
			}
		},
	);
	return out.filter((o) => o !== undefined) as INodeExecutionData[];
}
