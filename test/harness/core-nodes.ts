/**
 * Minimal stand-ins for the n8n-nodes-base nodes the package's workflows need, so the harness does not
 * depend on n8n-nodes-base (it is not installed and is huge).
 * - `n8n-nodes-base.manualTrigger`: same contract as the real one (a `trigger()` that emits one empty item in
 *   manual mode; in other modes the engine passes the start item through).
 * - `n8n-nodes-base.noOp`: passes items through.
 * - `harness.setItems`: emits the items in its `items` parameter (JSON array) as N output items, each with
 *   optional binary data stored through the real BinaryDataService (`prepareBinaryData`).
 */
import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

export const MANUAL_TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';
export const NO_OP_TYPE = 'n8n-nodes-base.noOp';
export const SET_ITEMS_TYPE = 'harness.setItems';

export class ManualTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Runs the flow on clicking a button in n8n',
		defaults: { name: 'When clicking ‘Execute workflow’' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- harness stand-in for an n8n-nodes-base node
export class NoOp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'No Operation',
		name: 'noOp',
		group: ['organization'],
		version: 1,
		description: 'No operation',
		defaults: { name: 'No Operation' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/** One item description for `harness.setItems`. Binary content is text (utf8) or base64. */
export interface SetItemSpec {
	json?: IDataObject;
	binary?: Record<string, { text?: string; base64?: string; mimeType?: string; fileName?: string }>;
}

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- harness stand-in for an n8n-nodes-base node
export class SetItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Set Items (harness)',
		name: 'setItems',
		group: ['transform'],
		version: 1,
		description: 'Emits the items given in the "items" parameter',
		defaults: { name: 'Set Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Items',
				name: 'items',
				type: 'json',
				default: '[]',
				description: 'Array of {json, binary: {prop: {text|base64, mimeType, fileName}}}',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as unknown;
		const specs = (typeof raw === 'string' ? JSON.parse(raw) : raw) as SetItemSpec[];
		if (!Array.isArray(specs)) {
			throw new NodeOperationError(this.getNode(), '"items" must be an array');
		}
		const out: INodeExecutionData[] = [];
		for (const spec of specs) {
			const item: INodeExecutionData = { json: spec.json ?? {}, pairedItem: { item: 0 } };
			if (spec.binary) {
				const binary: IBinaryKeyData = {};
				for (const [key, b] of Object.entries(spec.binary)) {
					const buffer =
						b.base64 !== undefined
							? Buffer.from(b.base64, 'base64')
							: Buffer.from(b.text ?? '', 'utf8');
					binary[key] = await this.helpers.prepareBinaryData(buffer, b.fileName, b.mimeType);
				}
				item.binary = binary;
			}
			out.push(item);
		}
		return [out];
	}
}

/** Convenience: `setItemsNode('Items', [{ json: { a: 1 } }])` builds the workflow node JSON. */
export function setItemsParameters(items: SetItemSpec[]): { items: string } {
	return { items: JSON.stringify(items) };
}
