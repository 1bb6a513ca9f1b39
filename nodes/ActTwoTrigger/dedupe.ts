import type { IDataObject } from 'n8n-workflow';

const MAX_REMEMBERED = 1000;

/**
 * Remembers delivered (task, status) pairs in the workflow's static data, which n8n persists in its
 * database after a webhook call, so a provider's repeated delivery starts one execution, not two.
 */
export function firstDelivery(staticData: IDataObject, key: string, now = Date.now()): boolean {
	const seen = (staticData.delivered ?? {}) as Record<string, number>;
	if (seen[key] !== undefined) return false;
	seen[key] = now;
	const keys = Object.keys(seen);
	if (keys.length > MAX_REMEMBERED) {
		for (const old of keys.sort((a, b) => seen[a] - seen[b]).slice(0, keys.length - MAX_REMEMBERED))
			delete seen[old];
	}
	staticData.delivered = seen;
	return true;
}
