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

export class CometApi implements ICredentialType {
	name = 'cometApi';

	displayName = 'CometAPI API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		apiKeyProperty('API Key', 'A CometAPI token (sk-…)'),
		baseUrlProperty('https://api.cometapi.com'),
		callbackSecretProperty,
	];

	authenticate: IAuthenticateGeneric = bearerAuth();

	test: ICredentialTestRequest = testRequest('/v1/models');
}
