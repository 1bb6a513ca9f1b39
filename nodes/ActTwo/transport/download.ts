import type {
	IBinaryData,
	IBinaryKeyData,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
} from 'n8n-workflow';

import { classifyHttp, ProviderError } from '../core/errors';
import type { NormalizedTask, ProviderId } from '../core/types';
import { withRetry } from './retry';

/**
 * Streams a finished video into n8n's binary data store (never held whole in memory). Output URLs are
 * signed and short-lived, so they are fetched without the API key.
 */
export async function downloadVideo(
	ctx: IExecuteFunctions | IWebhookFunctions,
	provider: ProviderId,
	url: string,
	fileName: string,
	signal?: AbortSignal,
): Promise<IBinaryData> {
	return await withRetry(
		async () => {
			const response = (await ctx.helpers.httpRequest({
				url,
				method: 'GET',
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 300_000,
				abortSignal: signal,
			})) as IN8nHttpFullResponse;
			const body = response.body as Parameters<typeof ctx.helpers.prepareBinaryData>[0] & {
				destroy?: () => void;
			};
			if (response.statusCode >= 400) {
				body.destroy?.();
				throw new ProviderError(
					provider,
					classifyHttp(
						response.statusCode,
						`The video download answered HTTP ${response.statusCode}`,
					),
					response.statusCode,
					null,
				);
			}
			const type = String(response.headers['content-type'] ?? 'video/mp4').split(';')[0];
			const mimeType = type === 'application/octet-stream' ? 'video/mp4' : type;
			return await ctx.helpers.prepareBinaryData(body, fileName, mimeType);
		},
		{ policy: 'idempotent', signal },
	);
}

export const videoFileName = (taskId: string) =>
	`act-two-${taskId.replace(/[^a-zA-Z0-9._-]+/g, '_').slice(-80)}.mp4`;

/** The finished video of a succeeded task as an item's binary data, or undefined when there is nothing to fetch. */
export async function videoBinary(
	ctx: IExecuteFunctions | IWebhookFunctions,
	task: NormalizedTask,
	field: string,
	signal?: AbortSignal,
): Promise<IBinaryKeyData | undefined> {
	const url = task.status === 'succeeded' ? task.outputs[0]?.url : undefined;
	if (!url) return undefined;
	return {
		[field]: await downloadVideo(ctx, task.provider, url, videoFileName(task.taskId), signal),
	};
}
