import type { IExecuteFunctions } from 'n8n-workflow';

import { adapterFor } from '../providers';
import type { ApiClient, ProviderAdapter, ProviderId } from '../providers/types';
import { createApiClient } from '../transport/http';
import type { HttpContext } from '../transport/http';

export interface ProviderContext {
	adapter: ProviderAdapter;
	client: ApiClient;
	signal?: AbortSignal;
}

/** The adapter for the chosen provider plus an API client bound to its credential and the execution's cancel signal. */
export async function providerContext(
	ctx: HttpContext,
	provider: ProviderId | string,
): Promise<ProviderContext> {
	const adapter = adapterFor(provider);
	const credentials = await ctx.getCredentials(adapter.credentialType);
	const signal =
		'getExecutionCancelSignal' in ctx
			? (ctx as IExecuteFunctions).getExecutionCancelSignal()
			: undefined;
	const client = createApiClient(ctx, {
		provider: adapter.id,
		credentialType: adapter.credentialType,
		baseUrl: String(credentials.baseUrl ?? ''),
		signal,
		secrets: [credentials.apiKey, credentials.webhookHmacSecret].map((v) => String(v ?? '')),
	});
	return { adapter, client, signal };
}
