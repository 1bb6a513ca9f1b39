import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	INodeProperties,
} from 'n8n-workflow';

/** What the four provider credentials share: icon, key and base-URL fields, Bearer auth, test request. */
export const CREDENTIAL_ICON: Icon = {
	light: 'file:../icons/act-two.svg',
	dark: 'file:../icons/act-two.dark.svg',
};

export function apiKeyProperty(displayName: string, description: string): INodeProperties {
	return {
		displayName,
		name: 'apiKey',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description,
	};
}

export function baseUrlProperty(defaultUrl: string): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: defaultUrl,
		description: 'Change only to use a proxy or the local provider simulator',
	};
}

export function bearerAuth(extraHeaders: Record<string, string> = {}): IAuthenticateGeneric {
	return {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}', ...extraHeaders } },
	};
}

/** A GET on the credential's base URL (trailing slashes tolerated). */
export function testRequest(
	path: string,
	rules?: ICredentialTestRequest['rules'],
): ICredentialTestRequest {
	return {
		request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}', url: path },
		...(rules ? { rules } : {}),
	};
}

/**
 * The Act-Two Trigger's URL secret. Kept in the credential, which n8n encrypts at rest, rather than in a node
 * parameter, which every copy of the workflow and of its executions carries in clear text.
 */
export const callbackSecretProperty: INodeProperties = {
	displayName: 'Callback Secret',
	name: 'callbackSecret',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	description:
		'Optional: a long random string. The Act-Two Trigger accepts only callbacks whose URL carries it as ?secret=, and the Act-Two node adds it to the Callback URL it sends.',
};
