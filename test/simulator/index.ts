/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import type { AddressInfo } from 'node:net';

import { registerAiml } from './providers/aiml';
import { registerComet } from './providers/comet';
import { registerLiangxin } from './providers/liangxin';
import { registerMuapi } from './providers/muapi';
import { registerRunway } from './providers/runway';
import { registerUseapi } from './providers/useapi';
import { PREFIXES, createSimServer } from './server';
import { KEYS, SimState } from './state';
import type { AnySimProvider, SimOutcome, SimTask, Simulator, SimulatorOptions } from './types';

export type {
	FaultKind,
	FaultRule,
	RecordedCallback,
	RecordedRequest,
	SimApi,
	SimOutcome,
	SimPhase,
	AnySimProvider,
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
export { AIML_MODEL } from './providers/aiml';
export { MUAPI_PRICE_USD } from './providers/muapi';

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
	registerAiml(sim);
	registerMuapi(sim);

	const baseUrls = () =>
		Object.fromEntries(
			Object.entries(PREFIXES).map(([p, prefix]) => [p, sim.url + prefix]),
		) as Record<AnySimProvider, string>;
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
			next: (provider: AnySimProvider, outcome: SimOutcome, times = 1) =>
				sim.queueOutcome(provider, outcome, times),
			clear: () => sim.clearOutcomes(),
		},
		tasks,
		runwayFile: (runwayUri: string) => {
			const upload = [...sim.runwayUploads.values()].find((u) => u.runwayUri === runwayUri);
			return upload?.file
				? { data: upload.file.data, contentType: upload.file.contentType, name: upload.file.name }
				: null;
		},
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
