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
	callbackSecretProperty,
	CREDENTIAL_ICON,
	testRequest,
} from './common';

export class MuapiApi implements ICredentialType {
	name = 'muapiApi';

	displayName = 'Muapi API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		apiKeyProperty('API Key', 'A Muapi API key (muapi.ai dashboard, API Keys)'),
		baseUrlProperty('https://api.muapi.ai/api/v1'),
		callbackSecretProperty,
	];

	// Muapi takes its key in x-api-key, not as a Bearer token.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'x-api-key': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = testRequest('/account/balance');
}
