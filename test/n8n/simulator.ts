/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions -- test infrastructure: it spawns the simulator */
/** Starts the provider simulator as a child process (test/e2e/simulator-process.ts) and talks to its /__sim control API. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT, resolveRuntime } from './instance';

export interface SimulatorInfo {
	url: string;
	baseUrls: Record<'runway' | 'useapi' | 'comet' | 'liangxin' | 'aiml' | 'muapi', string>;
	keys: Record<'runway' | 'useapi' | 'comet' | 'liangxin' | 'aiml' | 'muapi', string>;
	pid: number;
}

export interface SimulatorProcess extends SimulatorInfo {
	child: ChildProcess;
	logFile: string;
	close(): Promise<void>;
}

export function simulatorAvailable(): boolean {
	return existsSync(join(REPO_ROOT, 'test', 'simulator', 'index.ts'));
}

export async function startSimulatorProcess(opts: {
	port?: number;
	logFile: string;
	timeoutMs?: number;
}): Promise<SimulatorProcess> {
	const { node } = await resolveRuntime();
	const log = createWriteStream(opts.logFile, { flags: 'a' });
	const child = spawn(
		node,
		[
			'--import',
			'tsx',
			join('test', 'e2e', 'simulator-process.ts'),
			'--port',
			String(opts.port ?? 0),
		],
		{
			cwd: REPO_ROOT,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: process.env,
		},
	);
	child.stderr!.pipe(log, { end: false });
	const info = await new Promise<SimulatorInfo>((ok, fail) => {
		let buf = '';
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			fail(new Error(`simulator did not start in time. Log:\n${readLog(opts.logFile)}`));
		}, opts.timeoutMs ?? 60_000);
		child.stdout!.on('data', (d: Buffer) => {
			log.write(d);
			buf += d.toString();
			const m = /^SIMULATOR_READY (.*)$/m.exec(buf);
			if (m) {
				clearTimeout(timer);
				ok(JSON.parse(m[1]) as SimulatorInfo);
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			fail(new Error(`simulator exited with code ${code}. Log:\n${readLog(opts.logFile)}`));
		});
	});
	return {
		...info,
		child,
		logFile: opts.logFile,
		async close() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const done = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await done;
			clearTimeout(killer);
			log.end();
		},
	};
}

function readLog(file: string): string {
	return existsSync(file) ? readFileSync(file, 'utf8').slice(-4000) : '(no log)';
}

/** Calls a simulator control endpoint (`/__sim/...`). */
export async function simControl<T = unknown>(
	simUrl: string,
	method: string,
	path: string,
	body?: unknown,
): Promise<T> {
	const res = await fetch(`${simUrl}/__sim/${path.replace(/^\/+/, '')}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	if (!res.ok)
		throw new Error(`simulator ${method} /__sim/${path} → ${res.status}: ${text.slice(0, 500)}`);
	return (text ? JSON.parse(text) : undefined) as T;
}
