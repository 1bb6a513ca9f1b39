import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import {
	apiKeyProperty,
	baseUrlProperty,
	bearerAuth,
	CREDENTIAL_ICON,
	testRequest,
} from './common';

export class AimlApi implements ICredentialType {
	name = 'aimlApi';

	displayName = 'AIML API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		apiKeyProperty(
			'API Key',
			'An AIML API key (aimlapi.com/app/keys). Renders are billed to its balance.',
		),
		baseUrlProperty('https://api.aimlapi.com'),
	];

	authenticate: IAuthenticateGeneric = bearerAuth();

	// The balance: free, and it needs a valid key (GET /v1/models does not).
	test: ICredentialTestRequest = testRequest('/v2/billing');
}
