import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/** What the start of a render cost and found (see create.operation.ts), shown with its task in every mode. */
const START_INFO_KEYS = ['capacityWaitMs', 'estimatedCredits', 'estimatedCreditsNote', 'preflight'];

/** The start information "Until Callback" parked with the execution, for the item it resumes with. */
export function parkedStartInfo(ctx: IWebhookFunctions): IDataObject {
	const info: IDataObject = {};
	for (const key of START_INFO_KEYS) {
		const value = ctx.evaluateExpression(`{{ $json["${key}"] }}`, 0);
		if (value !== undefined && value !== '') info[key] = value as IDataObject[string];
	}
	return info;
}
