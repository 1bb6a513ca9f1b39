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
	bearerAuth,
	CREDENTIAL_ICON,
	testRequest,
} from './common';

export class UseApiNetApi implements ICredentialType {
	name = 'useApiNetApi';

	displayName = 'useapi.net API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		apiKeyProperty(
			'API Token',
			'The whole useapi.net token, "user:<number>-<string>". Renders run on the Runway account linked to it.',
		),
		baseUrlProperty('https://api.useapi.net/v1/runwayml'),
		callbackSecretProperty,
	];

	authenticate: IAuthenticateGeneric = bearerAuth();

	test: ICredentialTestRequest = testRequest('/accounts');
}
