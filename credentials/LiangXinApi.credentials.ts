import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import {
	apiKeyProperty,
	bearerAuth,
	callbackSecretProperty,
	CREDENTIAL_ICON,
	testRequest,
} from './common';

export class LiangXinApi implements ICredentialType {
	name = 'liangXinApi';

	displayName = 'LiangXin API';

	icon: Icon = CREDENTIAL_ICON;

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		apiKeyProperty('API Key', 'A LiangXin (or Kie-style gateway) API key'),
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://api.example.com',
			description:
				'The host of the jobs API (…/api/v1/jobs/createTask). LiangXin publishes none; Kie-style gateways share the same API.',
		},
		{
			displayName: 'Webhook HMAC Secret',
			name: 'webhookHmacSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. When the gateway signs callbacks (Kie-style X-Webhook-Signature), the Act-Two Trigger verifies them with this key.',
		},
		callbackSecretProperty,
	];

	authenticate: IAuthenticateGeneric = bearerAuth();

	// Kie-style gateways may answer HTTP 200 with the business code 401 in the body.
	test: ICredentialTestRequest = testRequest('/api/v1/chat/credit', [
		{
			type: 'responseSuccessBody',
			properties: { key: 'code', value: 401, message: 'The API key was rejected (code 401).' },
		},
	]);
}
