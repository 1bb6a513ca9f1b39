/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/* eslint-disable @n8n/community-nodes/require-node-api-error -- test infrastructure, not a node */
/**
 * jest.e2e.config.js globalSetup: ONE n8n (package installed from `npm pack`) + the provider simulator
 * (child process), credentials for the four providers, and `.n8n-e2e/e2e.json` for the test files
 * (read it with `loadE2e()` from ./context). ACT_TWO_E2E_PACKAGE=0 starts n8n without the package.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	connectN8n,
	packPackage,
	REPO_ROOT,
	resolveRuntime,
	scratchDir,
	startN8n,
	type N8nInstance,
} from '../n8n/instance';
import { simulatorAvailable, startSimulatorProcess, type SimulatorProcess } from '../n8n/simulator';
import { E2E_DIR, E2E_FILE, PROVIDER_CREDENTIALS, type E2eInfo } from './context';

declare global {
	var __ACT_TWO_E2E__: { n8n?: N8nInstance; sim?: SimulatorProcess } | undefined;
}

export default async function globalSetup(): Promise<void> {
	try {
		await setup();
	} catch (error) {
		// jest skips globalTeardown when globalSetup throws: stop what we started
		await globalThis.__ACT_TWO_E2E__?.n8n?.stop().catch(() => undefined);
		await globalThis.__ACT_TWO_E2E__?.sim?.close().catch(() => undefined);
		throw error;
	}
}

async function setup(): Promise<void> {
	const t0 = Date.now();
	mkdirSync(E2E_DIR, { recursive: true });
	const userFolder = join(scratchDir(), 'shared');
	// a previous run that was killed may have left its n8n running on this folder
	await connectN8n(userFolder)
		.then(async (old) => await old.stop())
		.catch(() => undefined);
	rmSync(userFolder, { recursive: true, force: true });
	mkdirSync(userFolder, { recursive: true });
	globalThis.__ACT_TWO_E2E__ = {};
	const log = (msg: string) =>
		console.log(`[e2e setup +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

	const withPackage = process.env.ACT_TWO_E2E_PACKAGE !== '0';
	let tarball: string | null = null;
	if (withPackage) {
		tarball = await packPackage();
		log(`packed ${tarball.replace(REPO_ROOT + '/', '')}`);
	}

	let sim: SimulatorProcess | undefined;
	if (simulatorAvailable()) {
		sim = await startSimulatorProcess({ logFile: join(E2E_DIR, 'simulator.log') });
		globalThis.__ACT_TWO_E2E__.sim = sim;
		log(`simulator at ${sim.url}`);
	} else {
		log('test/simulator/index.ts not found: no simulator');
	}

	const filesDir = join(userFolder, 'files');
	const n8n = await startN8n({
		userFolder,
		packageTarball: tarball ?? false,
		env: { ...extraN8nEnv(), N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
	});
	globalThis.__ACT_TWO_E2E__.n8n = n8n;
	const runtime = await resolveRuntime();
	log(
		`n8n ${runtime.version} ready at ${n8n.baseUrl} in ${((n8n as N8nInstance & { bootMs: number }).bootMs / 1000).toFixed(1)}s (log: ${n8n.logFile})`,
	);

	// node types this instance knows from the package (the editor's own list)
	const types = (
		await n8n.rest<Array<{ name: string }>>('GET', '/types/nodes.json', undefined, { raw: true })
	).body;
	const packageNodeTypes = types
		.map((t) => t.name)
		.filter((n) => n.startsWith('n8n-nodes-act-two.'));
	if (withPackage && packageNodeTypes.length === 0) {
		throw new Error(
			`the package was installed but n8n loaded none of its nodes. n8n log tail:\n${n8n.logTail(60)}`,
		);
	}

	const credentials: E2eInfo['credentials'] = {};
	if (withPackage && sim) {
		for (const [provider, type] of Object.entries(PROVIDER_CREDENTIALS) as Array<
			[keyof typeof PROVIDER_CREDENTIALS, string]
		>) {
			const name = `${provider} (simulator)`;
			const id = await n8n.createCredential(name, type, {
				apiKey: sim.keys[provider],
				baseUrl: sim.baseUrls[provider],
			});
			credentials[provider] = { id, name, type };
		}
		log(`credentials: ${Object.keys(credentials).join(', ')}`);
	}

	const info: E2eInfo = {
		n8n: {
			version: runtime.version,
			userFolder,
			baseUrl: n8n.baseUrl,
			logFile: n8n.logFile,
			bootMs: (n8n as N8nInstance & { bootMs: number }).bootMs,
		},
		package: { installed: withPackage, tarball, nodeTypes: packageNodeTypes },
		simulator: sim
			? { url: sim.url, baseUrls: sim.baseUrls, keys: sim.keys, pid: sim.pid, logFile: sim.logFile }
			: null,
		credentials,
		filesDir,
	};
	writeFileSync(E2E_FILE, JSON.stringify(info, null, 2), { mode: 0o600 });
	log('ready');
}

/**
 * ACT_TWO_E2E_N8N_ENV="K=V K2=V2": extra environment for the shared n8n (e.g. N8N_USE_WORKFLOW_PUBLICATION_SERVICE=true
 * to try n8n 2.41's background publication on 2.39).
 */
function extraN8nEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const pair of (process.env.ACT_TWO_E2E_N8N_ENV ?? '').split(/\s+/).filter(Boolean)) {
		const eq = pair.indexOf('=');
		if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
	}
	return env;
}
