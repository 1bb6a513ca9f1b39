import { cometAdapter } from './comet';
import { liangxinAdapter } from './liangxin';
import { runwayAdapter } from './runway';
import type { ProviderAdapter, ProviderId } from './types';
import { useapiAdapter } from './useapi';

export const ADAPTERS: Record<ProviderId, ProviderAdapter> = {
	runway: runwayAdapter,
	useapi: useapiAdapter,
	comet: cometAdapter,
	liangxin: liangxinAdapter,
};

export function adapterFor(provider: string): ProviderAdapter {
	const adapter = ADAPTERS[provider as ProviderId];
	if (!adapter) throw new Error(`Unknown provider "${provider}".`);
	return adapter;
}
