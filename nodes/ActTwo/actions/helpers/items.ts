import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { mapWithConcurrency } from '../../core/limit';
import { ProviderError } from '../../core/errors';
import { ADAPTERS } from '../../providers';

/** Turns anything thrown while handling an item into the n8n error a user sees, without request headers (keys). */
export function toNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof ProviderError) {
		const message = `${providerName(error.provider)}: ${error.message}`;
		const description = error.description;
		const response: JsonObject = {
			message: error.message,
			category: error.detail.category,
			code: error.detail.code,
			retryable: error.detail.retryable,
			httpCode: error.httpCode === null ? '' : String(error.httpCode),
		};
		const nodeError = new NodeApiError(ctx.getNode(), response, {
			message,
			description,
			httpCode: error.httpCode === null ? undefined : String(error.httpCode),
			itemIndex,
		});
		// NodeApiError swaps in its own text when a message mentions a network code (a lost connection's
		// "ECONNRESET" becomes "…You can retry the request immediately…"): wrong for a create, whose render may
		// have started. Our message and hint are the ones that fit.
		nodeError.message = message;
		nodeError.description = description;
		return nodeError;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/** A provider's display name for messages (the id itself for one the registry does not list). */
function providerName(id: string): string {
	return ADAPTERS[id]?.displayName ?? id;
}

/**
 * The JSON an item carries under Continue On Fail: `error` (the message) and `details` (description, category,
 * code, retryable and whatever task it concerns). Only the keys error/message/details are used: n8n routes such an item to
 * the error output, and it keeps the JSON as it is (an item with an `error` property would be reduced to
 * `{ error: message }` by WorkflowExecute.normalizeNodeErrors, losing the category).
 */
export function errorJson(
	error: NodeApiError | NodeOperationError,
	extra: IDataObject = {},
): IDataObject {
	const ctx = (error as NodeApiError).errorResponse as IDataObject | undefined;
	return {
		error: error.message,
		details: {
			...(error.description ? { description: error.description } : {}),
			...(ctx?.category
				? { category: ctx.category, code: ctx.code, retryable: ctx.retryable === true }
				: {}),
			...extra,
		},
	};
}

/** The output item for a failed input item under Continue On Fail (see errorJson). */
export function errorItem(
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
	extra: IDataObject = {},
): INodeExecutionData {
	return { json: errorJson(error, extra), pairedItem: { item: itemIndex } };
}

/** Output items (results and Continue On Fail errors) back in the order of the input items they pair with. */
export function inInputOrder(...lists: INodeExecutionData[][]): INodeExecutionData[] {
	const index = (item: INodeExecutionData) => (item.pairedItem as { item: number }).item;
	return lists.flat().sort((a, b) => index(a) - index(b));
}

/**
 * Runs one handler per input item with bounded concurrency and keeps every result paired with its input.
 * Under Continue On Fail a failing item becomes an error item; otherwise no new item starts after the
 * first failure and that failure is thrown once the items already in flight have settled.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	count: number,
	concurrency: number,
	handle: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const continueOnFail = ctx.continueOnFail();
	let firstError: NodeApiError | NodeOperationError | undefined;
	const indexes = Array.from({ length: count }, (_, i) => i);
	const results = await mapWithConcurrency(
		indexes,
		concurrency,
		async (i) => {
			try {
				const out = await handle(i);
				return out.map((o) => ({ ...o, pairedItem: { item: i } }));
			} catch (error) {
				const nodeError = toNodeError(ctx, error, i);
				if (!continueOnFail) {
					firstError ??= nodeError;
					return [];
				}
				return [errorItem(nodeError, i)];
			}
		},
		() => firstError !== undefined,
	);
	if (firstError) throw firstError;
	return results.flatMap((r) => r ?? []);
}

/**
 * The Task ID parameter of one item. Its default, {{ $json.taskId }}, resolves to undefined on an item without
 * that field, which must read as empty (not as the string "undefined" sent to the provider).
 */
export function readTaskId(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('taskId', itemIndex, '') as unknown;
	const taskId = value === undefined || value === null ? '' : String(value).trim();
	if (!taskId) {
		throw new NodeOperationError(ctx.getNode(), 'Task ID is empty', {
			itemIndex,
			description: 'Set Task ID, or feed items that carry a taskId field (the output of Create).',
		});
	}
	return taskId;
}
