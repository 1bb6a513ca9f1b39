import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { providerCredentials } from '../ActTwo/actions/common.description';
import { MODEL_NAMES } from '../ActTwo/core/types';
import type { ProviderAdapter } from '../ActTwo/core/types';
import { ADAPTER_LIST, byName, DEFAULTS, providerNames } from '../ActTwo/providers';
import { receiveCallback } from './receive';
import { requireSecret } from './setup';

const DEFAULT_PROVIDER = DEFAULTS.trigger;
const CALLING_BACK = ADAPTER_LIST.filter((a) => a.capabilities.callbacks.length > 0);
const NO_CALLBACKS = providerNames((a) => a.capabilities.callbacks.length === 0);

/** "CometAPI (Act-One)" where only some of a provider's models call back. */
const callbackLabel = (a: ProviderAdapter) =>
	a.capabilities.callbacks.length < a.capabilities.models.length
		? `${a.displayName} (${a.capabilities.callbacks.map((m) => MODEL_NAMES[m]).join(', ')})`
		: a.displayName;

export class ActTwoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Act-Two Trigger',
		name: 'actTwoTrigger',
		icon: { light: 'file:../../icons/act-two.svg', dark: 'file:../../icons/act-two.dark.svg' },
		group: ['trigger'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ "On " + $parameter["events"] + " renders: " + $parameter["provider"] }}',
		description: 'Starts a workflow when a provider calls back about an Act-Two or Act-One render',
		defaults: { name: 'Act-Two Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials(CALLING_BACK, false),
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: 'act-two',
			},
		],
		properties: [
			{
				displayName:
					'Set a Callback Secret in the credential. Put this node’s Production URL into the Act-Two node’s Callback URL option (the node adds ?secret= from the same credential) or, followed by ?secret= and the secret, into the provider’s account settings. Then publish the workflow.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '@version': [2] } },
			},
			{
				displayName:
					'This version keeps the secret in the Secret field below, stored in clear text in the workflow and in every execution. Move it to the Callback Secret field of the credential and clear the field (or add the trigger again): the same callback URLs keep working.',
				name: 'legacySecretNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				options: byName(CALLING_BACK).map((a) => ({ name: callbackLabel(a), value: a.id })),
				default: DEFAULT_PROVIDER,
				description: `${NO_CALLBACKS} ${NO_CALLBACKS.includes(' and ') ? 'have' : 'has'} no callbacks: poll with the Act-Two node instead`,
			},
			{
				displayName: 'Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				default: '',
				description:
					'Deprecated: use the credential’s Callback Secret. Callbacks must carry this value as the "secret" query parameter; others are rejected with 401.',
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'options',
				options: [
					{ name: 'Failed', value: 'failed', description: 'Renders that failed or were cancelled' },
					{ name: 'Finished', value: 'finished', description: 'Succeeded or failed renders' },
					{ name: 'Succeeded', value: 'succeeded' },
				],
				default: 'finished',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Confirm With Provider API',
						name: 'confirm',
						type: 'boolean',
						default: true,
						description:
							'Whether to read the task from the provider before starting the workflow (needs the credential). A callback for a task that does not exist, or has not ended, starts nothing.',
					},
					{
						displayName: 'Download Video',
						name: 'download',
						type: 'boolean',
						default: false,
						description: 'Whether to download the finished MP4 into binary data',
					},
					{
						displayName: 'Include Progress Callbacks',
						name: 'includeProgress',
						type: 'boolean',
						default: false,
						description:
							'Whether to also start the workflow for callbacks about renders that have not ended yet',
					},
					{
						displayName: 'Put Video in Field',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'data',
						displayOptions: { show: { download: [true] } },
					},
				],
			},
		],
	};

	// The user pastes the URL into the provider: nothing to register remotely. checkExists answers false so that
	// create() runs at every publish and refuses a trigger that has no secret to check callbacks against.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await requireSecret(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback.call(this);
	}
}
