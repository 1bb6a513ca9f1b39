/**
 * The node's fields follow each adapter's data: n8n keeps only the parameters whose displayOptions match
 * (NodeHelpers.getNodeParameters, what the editor and the engine use), so what survives for a provider is
 * what that provider takes.
 */
import { NodeHelpers } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { ActTwo } from '../../nodes/ActTwo/ActTwo.node';
import { ActTwoTrigger } from '../../nodes/ActTwoTrigger/ActTwoTrigger.node';
import { ADAPTER_LIST } from '../../nodes/ActTwo/providers';

const node = new ActTwo();
const ALL_OPTIONS = {
	ratio: '1280:720',
	bodyControl: true,
	expressionIntensity: 3,
	seed: 5,
	publicFigureThreshold: 'low',
	exploreMode: true,
	maxJobs: 2,
	replyRef: 'r',
	callbackUrl: 'https://example.com/hook',
};

function kept(values: INodeParameters): INodeParameters {
	return (
		NodeHelpers.getNodeParameters(
			node.description.properties,
			values,
			false,
			false,
			{ typeVersion: 1 },
			node.description,
		) ?? {}
	);
}

describe('fields per provider', () => {
	for (const adapter of ADAPTER_LIST)
		for (const model of adapter.capabilities.models)
			it(`${adapter.displayName} ${model}: Generation Options keep exactly what it takes`, () => {
				const params = kept({
					provider: adapter.id,
					resource: 'task',
					operation: 'create',
					model,
					createOptions: ALL_OPTIONS,
				});
				const expected = [
					...(adapter.options[model] ?? []),
					...(adapter.capabilities.callbacks.length ? ['callbackUrl'] : []),
				].sort();
				expect(Object.keys(params.createOptions as object).sort()).toEqual(expected);
			});

	it('Seed starts inside every provider’s range', () => {
		const seed = node.description.properties
			.find((p) => p.name === 'createOptions')
			?.options?.find((o) => 'name' in o && o.name === 'seed') as { default: number };
		for (const a of ADAPTER_LIST.filter((x) =>
			Object.values(x.options).some((l) => l?.includes('seed')),
		)) {
			expect(seed.default).toBeGreaterThanOrEqual(a.limits.seed.min);
			expect(seed.default).toBeLessThanOrEqual(a.limits.seed.max);
		}
	});

	it("the timeout options show only when the node waits; Don't Wait keeps the interval (it paces capacity checks)", () => {
		const options = { pollInterval: 2, pollJitter: 0, timeoutMinutes: 3, onTimeout: 'output' };
		const mode = (waitForCompletion: string) =>
			Object.keys(
				kept({
					provider: 'runway',
					resource: 'task',
					operation: 'create',
					waitForCompletion,
					options,
				}).options as object,
			).sort();
		expect(mode('none')).toEqual(['pollInterval', 'pollJitter']);
		expect(mode('poll')).toEqual(['onTimeout', 'pollInterval', 'pollJitter', 'timeoutMinutes']);
	});

	it('every provider has its credential; the trigger lists exactly the providers that call back', () => {
		expect(node.description.credentials?.map((c) => c.name).sort()).toEqual(
			ADAPTER_LIST.map((a) => a.credentialType).sort(),
		);
		const trigger = new ActTwoTrigger().description;
		const providers = trigger.properties.find((p) => p.name === 'provider')?.options as Array<{
			value: string;
		}>;
		expect(providers.map((p) => p.value).sort()).toEqual(
			ADAPTER_LIST.filter((a) => a.capabilities.callbacks.length > 0)
				.map((a) => a.id)
				.sort(),
		);
	});
});
