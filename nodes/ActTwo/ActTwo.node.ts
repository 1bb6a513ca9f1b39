import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { providerCredentials, providerProperty } from './actions/common.description';
import { ADAPTER_LIST } from './providers';
import { callbackResumeWebhooks, callbackWebhook } from './actions/task/callback-wait';
import { operationProperties } from './actions/operations';
import { router } from './actions/router';

export class ActTwo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Act-Two',
		name: 'actTwo',
		icon: { light: 'file:../../icons/act-two.svg', dark: 'file:../../icons/act-two.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["provider"] }}',
		description: 'Animate a character from a driving performance with Runway Act-Two or Act-One',
		defaults: { name: 'Act-Two' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials(ADAPTER_LIST, true),
		webhooks: callbackResumeWebhooks,
		properties: [providerProperty, ...operationProperties],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await callbackWebhook.call(this);
	}
}
