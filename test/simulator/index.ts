/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import type { AddressInfo } from 'node:net';

import { registerComet } from './providers/comet';
import { registerLiangxin } from './providers/liangxin';
import { registerRunway } from './providers/runway';
import { registerUseapi } from './providers/useapi';
import { PREFIXES, createSimServer } from './server';
import { KEYS, SimState } from './state';
import type { SimOutcome, SimProvider, SimTask, Simulator, SimulatorOptions } from './types';

export type {
	FaultKind,
	FaultRule,
	RecordedCallback,
	RecordedRequest,
	SimApi,
	SimOutcome,
	SimPhase,
	SimProvider,
	SimTask,
	SimTiming,
	Simulator,
	SimulatorOptions,
} from './types';
export { KEYS, DEFAULT_TIMING } from './state';
export { PREFIXES } from './server';
export { kieSignature } from './providers/liangxin';
export { parseMp4 } from './mp4';
export { USEAPI_EMAIL } from './providers/useapi';
export { RUNWAY_VERSION } from './providers/runway';

function snapshot(t: SimTask): SimTask {
	return { ...t, extra: { ...t.extra }, failure: t.failure ? { ...t.failure } : null };
}

/**
 * Starts the provider simulator: one HTTP server, one path prefix per provider (see PREFIXES), so each
 * base URL maps onto the real host's root.
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
	const sim = new SimState(opts);
	registerRunway(sim);
	registerUseapi(sim);
	registerComet(sim);
	registerLiangxin(sim);

	const baseUrls = () => ({
		runway: sim.url + PREFIXES.runway,
		useapi: sim.url + PREFIXES.useapi,
		comet: sim.url + PREFIXES.comet,
		liangxin: sim.url + PREFIXES.liangxin,
	});
	const tasks = () => sim.taskList.map(snapshot);
	const server = createSimServer(sim, {
		info: () => ({ url: sim.url, baseUrls: baseUrls(), keys: { ...KEYS } }),
		tasks,
	});
	const host = opts.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(opts.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	const urlHost = host.includes(':') ? '[' + host + ']' : host === '0.0.0.0' ? '127.0.0.1' : host;
	sim.url = 'http://' + urlHost + ':' + address.port;

	let closed = false;
	return {
		url: sim.url,
		baseUrls: baseUrls(),
		keys: { ...KEYS },
		faults: {
			add: (rule) => sim.faults.add(rule),
			clear: () => sim.faults.clear(),
			list: () => sim.faults.list(),
		},
		outcomes: {
			next: (provider: SimProvider, outcome: SimOutcome, times = 1) =>
				sim.queueOutcome(provider, outcome, times),
			clear: () => sim.clearOutcomes(),
		},
		tasks,
		requests: () => sim.requestLog.map((r) => ({ ...r })),
		callbacks: () => sim.callbacks.records(),
		callbacksSettled: () => sim.callbacks.settled(),
		staticUrl: (name: string) => sim.url + '/static/' + encodeURIComponent(name),
		mediaUrl: (host: string, name: string) =>
			sim.url + '/media/' + host + '/' + encodeURIComponent(name),
		reset: () => sim.reset(),
		close: async () => {
			if (closed) return;
			closed = true;
			sim.lifecycle.clear();
			sim.callbacks.close();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
