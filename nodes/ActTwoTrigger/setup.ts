import { NodeOperationError } from 'n8n-workflow';
import type { IHookFunctions } from 'n8n-workflow';

import { adapterFor } from '../ActTwo/providers';
import { callbackSecret, MIN_SECRET_LENGTH } from './secret';

/** Publishing a trigger that could not tell genuine callbacks from anyone's fails with what to do. */
export async function requireSecret(ctx: IHookFunctions): Promise<void> {
	const adapter = adapterFor(ctx.getNodeParameter('provider') as string);
	const hasCredential = Boolean(ctx.getNode().credentials?.[adapter.credentialType]);
	const credentials = hasCredential ? await ctx.getCredentials(adapter.credentialType) : {};
	const secret = callbackSecret(ctx, credentials);
	if (secret.length >= MIN_SECRET_LENGTH || (secret && ctx.getNode().typeVersion < 2)) return;
	throw new NodeOperationError(
		ctx.getNode(),
		secret
			? `The Callback Secret is too short (${secret.length} characters; at least ${MIN_SECRET_LENGTH})`
			: `The Act-Two Trigger needs a Callback Secret in its ${adapter.displayName} credential`,
		{
			description:
				'Open the credential, set Callback Secret to a long random string, and publish again. Callbacks are accepted only with ?secret=<that value> in the URL.',
		},
	);
}
