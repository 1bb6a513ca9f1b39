import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { MODEL_NAMES } from '../../core/types';
import type { ModelId, ProviderAdapter } from '../../core/types';

/** The model an item asks for: the Model field where the provider serves several, else its one model. */
export function readModel(
	ctx: IExecuteFunctions | IWebhookFunctions,
	i: number,
	adapter: ProviderAdapter,
): ModelId {
	const models = adapter.capabilities.models;
	if (models.length === 1) return models[0];
	const chosen =
		'getInputData' in ctx
			? (ctx as IExecuteFunctions).getNodeParameter('model', i, models[0])
			: (ctx as IWebhookFunctions).getNodeParameter('model', models[0]);
	if (!models.includes(chosen as ModelId))
		throw new NodeOperationError(
			ctx.getNode(),
			`${adapter.displayName} serves ${models.map((m) => MODEL_NAMES[m]).join(' and ')}; the Model is "${String(chosen).slice(0, 40)}"`,
			{ itemIndex: i },
		);
	return chosen as ModelId;
}
