import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class UseApiNetApi implements ICredentialType {
	name = 'useApiNetApi';

	displayName = 'useapi.net API';

	icon: Icon = { light: 'file:../icons/act-two.svg', dark: 'file:../icons/act-two.dark.svg' };

	documentationUrl = 'https://github.com/act-two/n8n-nodes-act-two#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The whole useapi.net token, "user:<number>-<string>". Renders run on the Runway account linked to it.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.useapi.net/v1/runwayml',
			description: 'Change only to use a proxy or the local provider simulator',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}', url: '/accounts' },
	};
}
