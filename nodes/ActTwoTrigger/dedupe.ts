import type { IDataObject } from 'n8n-workflow';

/** Keys kept in the workflow's static data (what survives a restart) and in each process's memory. */
const MAX_PERSISTED = 1000;
const MAX_IN_MEMORY = 10_000;
/** How long a webhook call's static data may still be waiting for n8n to save it. */
const LIVE_MS = 5 * 60_000;
const MAX_LIVE = 64;

interface Scope {
	/** Delivered keys, oldest first. */
	delivered: Map<string, number>;
	/**
	 * The newest MAX_PERSISTED of them: ONE object, kept up to date in place and referenced by every live static
	 * data, so a commit costs a key, not a copy of up to 1000 keys into each of up to 64 copies (measured: 10 ms
	 * of n8n's CPU per delivery at 300 keys, issue 12).
	 */
	persisted: Record<string, number>;
	/** The persisted keys, oldest first. */
	persistedOrder: string[];
	/** Deliveries being confirmed now: a repeat waits for the first one's outcome. */
	inflight: Map<string, Promise<boolean>>;
	/** Static data of recent webhook calls of this trigger, which n8n saves after each call returns. */
	live: Array<{ data: IDataObject; at: number }>;
}

export interface Claim {
	/** The event was delivered (an execution is being started): remember it everywhere. */
	commit(): void;
	/** The event was not delivered (rejected, or cannot be confirmed yet): a repeat may deliver it. */
	release(): void;
}

/**
 * Remembers delivered events so a provider's repeated delivery starts one execution, not two.
 *
 * Workflow static data alone cannot do this: n8n loads it when a webhook call starts and saves the whole copy
 * after the call, so concurrent calls overwrite each other's keys (measured: 20 concurrent repeats, 20
 * executions). So each n8n process keeps the ledger in memory, where check-and-claim is atomic, and writes
 * every key it knows into the static data of every recent call of the trigger, so whichever copy n8n saves
 * last holds them all. After a restart the saved keys are read back.
 */
export class DeliveryLedger {
	private readonly scopes = new Map<string, Scope>();

	private scope(id: string): Scope {
		let s = this.scopes.get(id);
		if (!s) {
			s = {
				delivered: new Map(),
				persisted: {},
				persistedOrder: [],
				inflight: new Map(),
				live: [],
			};
			this.scopes.set(id, s);
		}
		return s;
	}

	/** Null when the event was delivered already (or is, by a concurrent call that then succeeds). */
	async claim(
		scopeId: string,
		key: string,
		staticData: IDataObject,
		now = Date.now(),
	): Promise<Claim | null> {
		const s = this.scope(scopeId);
		s.live = s.live.filter((l) => now - l.at < LIVE_MS && l.data !== staticData);
		s.live.push({ data: staticData, at: now });
		if (s.live.length > MAX_LIVE) s.live.splice(0, s.live.length - MAX_LIVE);
		for (const [k, at] of Object.entries(persisted(staticData)))
			if (!s.delivered.has(k)) remember(s, k, at);
		for (;;) {
			if (s.delivered.has(key)) return null;
			const pending = s.inflight.get(key);
			if (!pending) break;
			if (await pending) return null;
		}
		let settle!: (delivered: boolean) => void;
		s.inflight.set(key, new Promise<boolean>((resolve) => (settle = resolve)));
		return {
			commit: () => {
				s.inflight.delete(key);
				remember(s, key, Date.now());
				// the same object everywhere; assigning it marks each copy changed, so n8n saves it
				for (const l of s.live) l.data.delivered = s.persisted;
				settle(true);
			},
			release: () => {
				s.inflight.delete(key);
				settle(false);
			},
		};
	}
}

/** Adds a delivered key to the scope's memory and to the persisted keys, dropping the oldest over the limits. */
function remember(s: Scope, key: string, at: number): void {
	s.delivered.set(key, at);
	trim(s.delivered, MAX_IN_MEMORY);
	if (!Object.prototype.hasOwnProperty.call(s.persisted, key)) s.persistedOrder.push(key);
	s.persisted[key] = at;
	if (s.persistedOrder.length > MAX_PERSISTED)
		for (const oldest of s.persistedOrder.splice(0, s.persistedOrder.length - MAX_PERSISTED))
			delete s.persisted[oldest];
}

function persisted(staticData: IDataObject): Record<string, number> {
	const d = staticData.delivered;
	if (!d || typeof d !== 'object' || Array.isArray(d)) return {};
	const out: Record<string, number> = {};
	for (const [k, v] of Object.entries(d as IDataObject)) if (typeof v === 'number') out[k] = v;
	return out;
}

function trim(map: Map<string, number>, max: number): void {
	for (const k of map.keys()) {
		if (map.size <= max) return;
		map.delete(k);
	}
}

/** One ledger per n8n process (main, or each webhook process in queue mode). */
export const deliveries = new DeliveryLedger();
