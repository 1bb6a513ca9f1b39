import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class RunwayApi implements ICredentialType {
	name = 'runwayApi';

	displayName = 'Runway API';

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
			description:
				'A Runway developer API key (dev.runwayml.com). Runway bills the organization that owns it.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.dev.runwayml.com',
			description: 'Change only to use a proxy or the local provider simulator',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
				'X-Runway-Version': '2024-11-06',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}', url: '/v1/organization' },
	};
}
