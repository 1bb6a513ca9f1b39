import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class LiangXinApi implements ICredentialType {
	name = 'liangXinApi';

	displayName = 'LiangXin API';

	icon: Icon = { light: 'file:../icons/act-two.svg', dark: 'file:../icons/act-two.dark.svg' };

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
		},
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
			displayName: 'Webhook HMAC Key',
			name: 'webhookHmacSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. When the gateway signs callbacks (Kie-style X-Webhook-Signature), the Act-Two Trigger verifies them with this key.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/chat/credit',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 401, message: 'The API key was rejected (code 401).' },
			},
		],
	};
}
