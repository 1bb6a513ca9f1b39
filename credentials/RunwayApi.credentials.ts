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

export class RunwayApi implements ICredentialType {
	name = 'runwayApi';

	displayName = 'Runway API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		apiKeyProperty(
			'API Key',
			'A Runway developer API key (dev.runwayml.com). Runway bills the organization that owns it.',
		),
		baseUrlProperty('https://api.dev.runwayml.com'),
	];

	authenticate: IAuthenticateGeneric = bearerAuth({ 'X-Runway-Version': '2024-11-06' });

	test: ICredentialTestRequest = testRequest('/v1/organization');
}
