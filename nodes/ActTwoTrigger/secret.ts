import type {
	ICredentialDataDecryptedObject,
	IHookFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

export const MIN_SECRET_LENGTH = 16;

/**
 * The secret callbacks must carry. Version 2 reads it from the provider credential only; version 1 kept it in
 * the node's Secret parameter, which still works (it wins when set) but is stored in clear text.
 */
export function callbackSecret(
	ctx: IWebhookFunctions | IHookFunctions,
	credentials: ICredentialDataDecryptedObject,
): string {
	const fromCredential =
		typeof credentials.callbackSecret === 'string' ? credentials.callbackSecret : '';
	if (ctx.getNode().typeVersion >= 2) return fromCredential;
	const legacy = ctx.getNodeParameter('secret', '');
	return typeof legacy === 'string' && legacy ? legacy : fromCredential;
}
