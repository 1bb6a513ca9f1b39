import { NodeOperationError } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

import { adapterFor } from '../../providers';
import type { ApiClient, ProviderAdapter, ProviderId } from '../../core/types';
import { createApiClient } from '../../transport/http';
import type { HttpContext } from '../../transport/http';

export interface ProviderContext {
	adapter: ProviderAdapter;
	client: ApiClient;
	signal?: AbortSignal;
	/** The credential's Callback Secret (the Act-Two Trigger's URL secret), '' when none is set. */
	callbackSecret: string;
}

/** Every secret a provider credential holds: masked wherever a provider, or a callback, echoes one. */
export function credentialSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	return [credentials.apiKey, credentials.webhookHmacSecret, credentials.callbackSecret].map((v) =>
		typeof v === 'string' ? v : '',
	);
}

/** The adapter for the chosen provider plus an API client bound to its credential and the execution's cancel signal. */
export async function providerContext(
	ctx: HttpContext,
	provider: ProviderId | string,
	/** The credential when the caller has read it already (each read costs n8n an expression isolate). */
	read?: ICredentialDataDecryptedObject,
): Promise<ProviderContext> {
	const adapter = adapterFor(provider);
	const credentials: ICredentialDataDecryptedObject =
		read ?? (await ctx.getCredentials(adapter.credentialType));
	const baseUrl = String(credentials.baseUrl ?? '').trim();
	if (!/^https?:\/\/[^/\s]+/i.test(baseUrl)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The ${adapter.displayName} credential has no valid Base URL${baseUrl ? ` ("${baseUrl.slice(0, 100)}")` : ''}`,
			{
				description:
					'Open the credential and set Base URL to the API host, starting with https:// (LiangXin publishes no default host). Nothing was sent.',
			},
		);
	}
	const signal =
		'getExecutionCancelSignal' in ctx
			? (ctx as IExecuteFunctions).getExecutionCancelSignal()
			: undefined;
	const client = createApiClient(ctx, {
		provider: adapter.id,
		errors: adapter.errors,
		credentialType: adapter.credentialType,
		baseUrl,
		signal,
		secrets: credentialSecrets(credentials),
	});
	const callbackSecret =
		typeof credentials.callbackSecret === 'string' ? credentials.callbackSecret : '';
	return { adapter, client, signal, callbackSecret };
}
