/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/** jest.e2e.config.js globalTeardown: stops the shared n8n (by pid too, in case a test restarted it) and the simulator. */
import { existsSync, readFileSync } from 'node:fs';

import { connectN8n } from '../n8n/instance';
import { E2E_FILE, type E2eInfo } from './context';

export default async function globalTeardown(): Promise<void> {
	const state = globalThis.__ACT_TWO_E2E__;
	await state?.n8n?.stop();
	if (existsSync(E2E_FILE)) {
		const info = JSON.parse(readFileSync(E2E_FILE, 'utf8')) as E2eInfo;
		// a test may have restarted n8n from its own process: stop whatever pid the folder records now
		await connectN8n(info.n8n.userFolder)
			.then(async (n) => await n.stop())
			.catch(() => undefined);
		// the simulator of a setup that ran in another process: only if that pid is still our simulator
		const simPid = info.simulator?.pid;
		if (simPid && !state?.sim && existsSync(`/proc/${simPid}/cmdline`)) {
			if (readFileSync(`/proc/${simPid}/cmdline`, 'utf8').includes('simulator-process'))
				process.kill(simPid, 'SIGTERM');
		}
	}
	await state?.sim?.close();
	globalThis.__ACT_TWO_E2E__ = undefined;
}
