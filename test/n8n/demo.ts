/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * `npm run demo` (scripts/demo.sh builds first, then runs this with Node 24):
 * a fresh n8n in ~/.n8n-act-two-demo/ with the packed package installed, the provider simulator (or a real
 * provider), the example workflow examples/workflows/render-local-files.json run once
 * (driving video + character image from examples/assets → Act-Two → MP4 in demo-output/), then n8n
 * keeps running for the editor until Ctrl-C.
 *
 * Options: --no-wait (or DEMO_EXIT=1) exit after the run · --port N (default 5678, or a free port) ·
 * --provider runway|useapi|comet|liangxin. DEMO_DIR / DEMO_OUTPUT move ~/.n8n-act-two-demo/ and demo-output/ (the e2e test does).
 * Real provider: RUNWAY_API_KEY=… (Runway), or ACT_TWO_PROVIDER=… ACT_TWO_API_KEY=… [ACT_TWO_BASE_URL=…]
 * (CometAPI/LiangXin take URLs only: ACT_TWO_CHARACTER_URL=… ACT_TWO_DRIVING_URL=… public links).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative } from 'node:path';

import {
	freePort,
	nodeOutput,
	packPackage,
	REPO_ROOT,
	startN8n,
	type N8nInstance,
	type WorkflowJson,
} from './instance';
import { simulatorAvailable, startSimulatorProcess, type SimulatorProcess } from './simulator';

type Provider = 'runway' | 'useapi' | 'comet' | 'liangxin';
const CREDENTIAL_TYPES: Record<Provider, string> = {
	runway: 'runwayApi',
	useapi: 'useApiNetApi',
	comet: 'cometApi',
	liangxin: 'liangXinApi',
};
const EXAMPLE = join(REPO_ROOT, 'examples', 'workflows', 'render-local-files.json');
const ASSETS = join(REPO_ROOT, 'examples', 'assets');
/** The example workflow's paths are written for n8n's default file folder. */
const EXAMPLE_FILES_ROOT = '/home/node/.n8n-files';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? argv[i + 1] : undefined;
};
const t0 = Date.now();
const say = (msg: string) =>
	console.log(`\x1b[1m[demo +${((Date.now() - t0) / 1000).toFixed(0)}s]\x1b[0m ${msg}`);

async function portOrFree(wanted: number): Promise<number> {
	const probe = await fetch(`http://127.0.0.1:${wanted}/`).then(
		() => true,
		() => false,
	);
	return probe ? await freePort() : wanted;
}

async function main() {
	const noWait = flag('no-wait') || process.env.DEMO_EXIT === '1';
	// Outside the repo: an n8n user folder holds thousands of cached editor files that `eslint .` would walk.
	const demoDir = process.env.DEMO_DIR ?? join(homedir(), '.n8n-act-two-demo');
	const userFolder = join(demoDir, 'n8n');
	const filesDir = join(demoDir, 'files');
	const outDir = process.env.DEMO_OUTPUT ?? join(REPO_ROOT, 'demo-output');

	// provider: real when keys are given, else the simulator
	let provider = (option('provider') ?? process.env.ACT_TWO_PROVIDER ?? 'runway') as Provider;
	let credentialData: Record<string, string>;
	let sim: SimulatorProcess | undefined;
	if (process.env.ACT_TWO_API_KEY || (provider === 'runway' && process.env.RUNWAY_API_KEY)) {
		const apiKey = process.env.ACT_TWO_API_KEY ?? process.env.RUNWAY_API_KEY!;
		credentialData = {
			apiKey,
			...(process.env.ACT_TWO_BASE_URL ? { baseUrl: process.env.ACT_TWO_BASE_URL } : {}),
		};
		say(
			`provider: ${provider} (REAL API${process.env.ACT_TWO_BASE_URL ? ` at ${process.env.ACT_TWO_BASE_URL}` : ''}; this render is billed)`,
		);
	} else {
		if (!(provider in CREDENTIAL_TYPES)) provider = 'runway';
		if (!simulatorAvailable())
			throw new Error('test/simulator/index.ts is missing and no provider key was given');
		mkdirSync(demoDir, { recursive: true });
		sim = await startSimulatorProcess({ logFile: join(demoDir, 'simulator.log') });
		credentialData = { apiKey: sim.keys[provider], baseUrl: sim.baseUrls[provider] };
		say(
			`provider: ${provider} via the local simulator at ${sim.url} (set RUNWAY_API_KEY, or ACT_TWO_PROVIDER + ACT_TWO_API_KEY, for a real render)`,
		);
	}

	let n8n: N8nInstance | undefined;
	const shutdown = async (code: number) => {
		await n8n?.stop().catch(() => undefined);
		await sim?.close().catch(() => undefined);
		process.exit(code);
	};
	process.on('SIGINT', () => {
		console.log('\nstopping n8n…');
		void shutdown(0);
	});
	process.on('SIGTERM', () => void shutdown(0));

	try {
		say('packing the package (npm pack of this repo)');
		const tarball = await packPackage({ build: false });

		// a fresh n8n user folder every time
		rmSync(userFolder, { recursive: true, force: true });
		rmSync(filesDir, { recursive: true, force: true });
		const actTwoFiles = join(filesDir, 'act-two');
		mkdirSync(join(actTwoFiles, 'output'), { recursive: true });
		for (const f of ['driving.mp4', 'character.png'])
			copyFileSync(join(ASSETS, f), join(actTwoFiles, f));

		const port = Number(option('port') ?? process.env.DEMO_PORT ?? (await portOrFree(5678)));
		say(`starting n8n on port ${port} (user folder ${userFolder}, about 20-40 s)`);
		n8n = await startN8n({
			userFolder,
			port,
			packageTarball: tarball,
			owner: {
				email: 'demo@act-two.local',
				password: process.env.DEMO_PASSWORD ?? 'ActTwo-demo-1',
			},
			env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
		});
		say(`n8n is up at ${n8n.baseUrl}`);

		const credType = CREDENTIAL_TYPES[provider];
		const credName = sim ? `${provider} (local simulator)` : `${provider} account`;
		const credId = await n8n.createCredential(credName, credType, credentialData);

		const wf = JSON.parse(
			readFileSync(EXAMPLE, 'utf8').split(EXAMPLE_FILES_ROOT).join(filesDir),
		) as WorkflowJson;
		for (const node of wf.nodes) {
			if (node.type === 'n8n-nodes-act-two.actTwo') {
				node.parameters.provider = provider;
				// CometAPI and LiangXin take inputs as URLs only: the simulator serves examples/assets itself;
				// for a real provider pass public links in ACT_TWO_CHARACTER_URL / ACT_TWO_DRIVING_URL
				const characterUrl =
					process.env.ACT_TWO_CHARACTER_URL ??
					(sim ? `${sim.url}/static/character.png` : undefined);
				const drivingUrl =
					process.env.ACT_TWO_DRIVING_URL ?? (sim ? `${sim.url}/static/driving.mp4` : undefined);
				const urlOnly = provider === 'comet' || provider === 'liangxin';
				if ((urlOnly || process.env.ACT_TWO_CHARACTER_URL) && characterUrl && drivingUrl) {
					Object.assign(node.parameters, {
						characterSource: 'url',
						characterUrl,
						drivingSource: 'url',
						drivingUrl,
					});
					say(`inputs as URLs (${provider} takes no uploads): ${characterUrl}, ${drivingUrl}`);
				}
				node.credentials = { [credType]: { id: credId, name: credName } };
			}
		}
		const workflowId = await n8n.importWorkflow(wf);
		say(`imported "${wf.name}" (${relative(REPO_ROOT, EXAMPLE)}) as workflow ${workflowId}`);

		say('running it: driving.mp4 + character.png → Act-Two → MP4');
		const run = await n8n.executeWorkflowCli(workflowId, { timeoutMs: 15 * 60_000 });
		const exec = run.execution;
		if (exec?.status !== 'success') {
			const err = exec?.data?.resultData.error;
			throw new Error(
				`the workflow did not succeed (status ${exec?.status ?? 'unknown'}${err ? `: ${err.message}${err.description ? ` — ${err.description}` : ''}` : ''}).\n` +
					(exec
						? ''
						: `n8n execute printed:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`),
			);
		}
		const task = nodeOutput(exec, 'Act-Two')[0]?.json as
			| { taskId?: string; status?: string; outputs?: Array<{ url: string }> }
			| undefined;
		const saved = nodeOutput(exec, 'Save MP4')[0]?.json as { fileName?: string } | undefined;
		const written =
			saved?.fileName ??
			join(
				actTwoFiles,
				'output',
				`act-two-${String(task?.taskId).replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4`,
			);
		if (!existsSync(written)) throw new Error(`the workflow succeeded but ${written} is missing`);
		mkdirSync(outDir, { recursive: true });
		const mp4 = join(outDir, basename(written));
		copyFileSync(written, mp4);

		const stored = await n8n
			.listExecutions({ workflowId, includeData: false, limit: 1 })
			.catch(() => []);
		const executionUrl = `${n8n.baseUrl}/workflow/${workflowId}/executions${stored[0] ? `/${stored[0].id}` : ''}`;
		console.log('');
		say(`done: task ${task?.taskId ?? '?'} ${task?.status ?? ''}`);
		console.log(`  MP4:      ${mp4}  (${(readFileSync(mp4).length / 1024).toFixed(0)} KiB)`);
		console.log(`  Editor:   ${n8n.baseUrl}/workflow/${workflowId}`);
		console.log(`  Run:      ${executionUrl}`);
		console.log(`  Login:    ${n8n.owner.email} / ${n8n.owner.password}`);
		console.log(`  n8n log:  ${n8n.logFile}`);
		if (noWait) {
			await shutdown(0);
			return;
		}
		console.log('\n  n8n keeps running for the editor. Press Ctrl-C to stop it.');
	} catch (error) {
		console.error(`\n[demo] FAILED: ${(error as Error).message}`);
		if (n8n) console.error(`----- n8n log tail (${n8n.logFile}) -----\n${n8n.logTail(40)}`);
		await shutdown(1);
	}
}

void main();
