import { aimlAdapter } from './aiml/adapter';
import { cometAdapter } from './comet/adapter';
import { liangxinAdapter } from './liangxin/adapter';
import { muapiAdapter } from './muapi/adapter';
import { runwayAdapter } from './runway/adapter';
import type { ProviderAdapter, ProviderId } from '../core/types';
import { useapiAdapter } from './useapi/adapter';

export const ADAPTERS: Record<string, ProviderAdapter> = {
	runway: runwayAdapter,
	useapi: useapiAdapter,
	comet: cometAdapter,
	liangxin: liangxinAdapter,
	aiml: aimlAdapter,
	muapi: muapiAdapter,
};

/** The providers a new node starts with; fixed, since n8n does not store a parameter left at its default. */
export const DEFAULTS = { node: 'runway', trigger: 'useapi' } as const;

export const ADAPTER_LIST: readonly ProviderAdapter[] = Object.values(ADAPTERS);

/** Adapters in the order the node lists them: by display name. */
export const byName = (adapters: readonly ProviderAdapter[]) =>
	[...adapters].sort((a, b) => a.displayName.localeCompare(b.displayName));

/** The ids of the providers that have a property (for a field's displayOptions). */
export const providersWhere = (has: (adapter: ProviderAdapter) => boolean): string[] =>
	ADAPTER_LIST.filter(has).map((a) => a.id);

export function adapterFor(provider: string): ProviderAdapter {
	const adapter = ADAPTERS[provider as ProviderId];
	if (!adapter) throw new Error(`Unknown provider "${provider}".`);
	return adapter;
}

/** The display names of the providers that have a property, for messages ("Runway and useapi.net"). */
export function providerNames(has: (adapter: ProviderAdapter) => boolean): string {
	const names = byName(ADAPTER_LIST.filter(has)).map((a) => a.displayName);
	return names.length > 1
		? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
		: names.join('');
}
