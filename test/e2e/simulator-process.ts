/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Runs the provider simulator (test/simulator) as its own process for the e2e suite and the demo:
 *   node --import tsx test/e2e/simulator-process.ts [--port N] [--host H]
 * Prints one line `SIMULATOR_READY {"url":…,"baseUrls":…,"keys":…}` on stdout when it listens; SIGTERM/SIGINT close it.
 */
import { argv, exit, pid, stderr, stdout } from 'node:process';

import { startSimulator } from '../simulator/index';

function arg(name: string): string | undefined {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? argv[i + 1] : undefined;
}

async function main() {
	const sim = await startSimulator({
		port: Number(arg('port') ?? 0),
		host: arg('host') ?? '127.0.0.1',
	});
	const info = { url: sim.url, baseUrls: sim.baseUrls, keys: sim.keys, pid };
	stdout.write(`SIMULATOR_READY ${JSON.stringify(info)}\n`);
	const close = () => {
		void sim.close().finally(() => exit(0));
		setTimeout(() => exit(0), 3000).unref();
	};
	process.on('SIGTERM', close);
	process.on('SIGINT', close);
}

main().catch((error: unknown) => {
	stderr.write(`simulator failed to start: ${String((error as Error)?.stack ?? error)}\n`);
	exit(1);
});
