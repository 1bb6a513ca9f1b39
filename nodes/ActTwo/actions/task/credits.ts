import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import { asNumber } from '../../providers/common/task';
import type { ModelId, ProviderAdapter } from '../../core/types';
import { ADAPTER_LIST, byName, providerNames } from '../../providers';

const priced = byName(ADAPTER_LIST.filter((a) => a.creditPricing))
	.map(
		(a) =>
			`${a.displayName}: ${Object.values(a.creditPricing!.perSecond).join('/')} credits per second${a.creditPricing!.exploreModeFree ? ', 0 in Explore Mode' : ''}`,
	)
	.join('; ');
const unpriced = providerNames((a) => !a.creditPricing);

export const maxCreditsOption: INodeProperties = {
	displayName: 'Max Credits',
	name: 'maxCredits',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 100,
	description: `Refuse the whole batch, sending nothing, when its estimated cost is above this many credits. The estimate is the driving video’s length × the provider’s price (${priced}). ${unpriced} do not price in credits: with this option set they refuse to start.`,
};

/** An item's estimate before anything is sent: credits, or null with the reason. */
export interface CreditEstimate {
	credits: number | null;
	note?: string;
}

/** What an estimate needs from an item's plan. */
export interface EstimateInput {
	model: ModelId;
	exploreMode?: boolean;
	drivingSeconds: number | null;
}

/** The item's estimate from the adapter's price list; never guessed where a figure is missing. */
export function estimateCredits(adapter: ProviderAdapter, input: EstimateInput): CreditEstimate {
	const pricing = adapter.creditPricing;
	if (!pricing)
		return {
			credits: null,
			note: `${adapter.displayName} does not price renders in credits`,
		};
	if (pricing.exploreModeFree && input.exploreMode === true) return { credits: 0 };
	const perSecond = pricing.perSecond[input.model];
	if (perSecond === undefined)
		return {
			credits: null,
			note: `No credit price is known for ${input.model} on ${adapter.displayName}`,
		};
	if (input.drivingSeconds === null)
		return {
			credits: null,
			note: "The driving video's duration is unknown (it could not be read before sending), so no estimate",
		};
	// A header read as 5.0000001 s is a 5 s video: ignore float noise before rounding up.
	const seconds = pricing.roundUpSeconds
		? Math.ceil(input.drivingSeconds - 1e-6)
		: input.drivingSeconds;
	return { credits: perSecond * Math.max(0, seconds) };
}

/** Shown on an item: the estimate, and why there is none when there is none. */
export function estimateJson(estimate: CreditEstimate): IDataObject {
	return estimate.credits === null
		? { estimatedCredits: null, estimatedCreditsNote: estimate.note ?? null }
		: { estimatedCredits: estimate.credits };
}

const LISTED = 100;

/**
 * Checks a batch against Max Credits (the option's raw value) before anything is sent. The refusal, or null:
 * the provider has no credit pricing, an item's estimate is unknown, or the total is above the budget; each
 * refusal names the items.
 */
export function budgetRefusal(
	node: INode,
	adapter: ProviderAdapter,
	maxCreditsValue: unknown,
	items: Array<{ itemIndex: number; estimate: CreditEstimate; drivingSeconds: number | null }>,
): NodeOperationError | null {
	const nothingSent = `Nothing was sent to ${adapter.displayName}, so no credits were spent.`;
	// A number or numeric text only: Number() would read null and [] as 0 and call an object's valueOf.
	const maxCredits = asNumber(maxCreditsValue);
	if (maxCredits === null || maxCredits < 0)
		return new NodeOperationError(node, 'Max Credits must be a number of 0 or more', {
			description: nothingSent,
		});
	if (!adapter.creditPricing) {
		return new NodeOperationError(
			node,
			`Max Credits cannot be checked: ${adapter.displayName} does not price renders in credits`,
			{
				description: `${adapter.displayName} bills in its own units, and this node does not guess a price. ${nothingSent} Remove the Max Credits option to render with ${adapter.displayName}, and watch its spend in its own dashboard.`,
			},
		);
	}
	const list = (rows: string[]) =>
		rows.slice(0, LISTED).join('; ') +
		(rows.length > LISTED ? `; and ${rows.length - LISTED} more` : '');
	const unknown = items.filter((x) => x.estimate.credits === null);
	if (unknown.length > 0) {
		return new NodeOperationError(
			node,
			`Max Credits cannot be checked: no estimate for ${unknown.length === 1 ? 'item' : 'items'} ${unknown.map((x) => x.itemIndex).join(', ')}`,
			{
				description: `${list(unknown.map((x) => `item ${x.itemIndex}: ${x.estimate.note ?? 'no estimate'}`))}. ${nothingSent} Give the driving video as binary data (its length is read from the file), or remove Max Credits.`,
			},
		);
	}
	const total = items.reduce((sum, x) => sum + (x.estimate.credits ?? 0), 0);
	if (total <= maxCredits) return null;
	const rows = items.map(
		(x) =>
			`item ${x.itemIndex}: ${x.estimate.credits} credits` +
			(x.drivingSeconds !== null ? ` (${x.drivingSeconds.toFixed(1)} s driving video)` : ''),
	);
	return new NodeOperationError(
		node,
		`Max Credits exceeded: this batch may cost up to ${total} credits; Max Credits is ${maxCredits}`,
		{
			description: `Estimates: ${list(rows)}. Total: ${total} credits. ${adapter.creditPricing.source}. ${nothingSent} Raise Max Credits, or send fewer or shorter driving videos.`,
		},
	);
}
