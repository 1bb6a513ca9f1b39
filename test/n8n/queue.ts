/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- test infrastructure: it spawns n8n and throws plain errors */
/**
 * n8n in queue mode: one main (`n8n start`, EXECUTIONS_MODE=queue: it serves the editor, the API, production and
 * waiting webhooks, and enqueues every execution) and `n8n worker` processes that run them, on private Redis and
 * PostgreSQL (./queue-services). Every process has its own user folder with the package installed the way n8n
 * installs community packages, as on separate machines: they share only the database, Redis and N8N_ENCRYPTION_KEY.
 *
 * Which process ran an execution is read from n8n's own info logs: main logs `Enqueued execution <id> (job <n>)`,
 * the worker that takes the job `Worker started execution <id> (job <n>)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
	appendFileSync,
	closeSync,
	existsSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
} from 'node:fs';
import { join } from 'node:path';

import {
	freePort,
	installPackage,
	instanceEnv,
	resolveRuntime,
	scratchDir,
	startN8n,
	type N8nInstance,
} from './instance';
import type { QueueServices } from './queue-services';

export interface N8nWorker {
	name: string;
	userFolder: string;
	logFile: string;
	running(): boolean;
	/** Graceful stop (SIGTERM; SIGKILL after 30 s). */
	stop(): Promise<void>;
}

export interface JobRun {
	/** The worker's name, or 'main' for the enqueue line. */
	process: string;
	jobId: string;
}

export interface QueueDeployment {
	main: N8nInstance;
	workers: N8nWorker[];
	/** Jobs main enqueued for an execution, in order. */
	enqueued(executionId: string): string[];
	/** Which worker started which job of an execution (grouped by worker, not in time order). */
	workerRuns(executionId: string): JobRun[];
	/** Stops the workers and main, deletes their folders. */
	destroy(): Promise<void>;
}

const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));
const tail = (file: string, lines = 60) =>
	existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';

/** Job ids of the lines `<verb> execution <id> (job <n>)` in a log. */
function jobLines(file: string, verb: string, executionId: string): string[] {
	if (!existsSync(file)) return [];
	const re = new RegExp(`${verb} execution ${executionId} \\(job (\\w+)\\)`, 'g');
	return [...readFileSync(file, 'utf8').matchAll(re)].map((m) => m[1]);
}

/** Starts `n8n worker` on its own user folder with main's environment; resolves once it logs that it is ready. */
async function startWorker(
	name: string,
	main: N8nInstance,
	tarball: string,
	timeoutMs: number,
): Promise<N8nWorker> {
	const runtime = await resolveRuntime();
	const userFolder = mkdtempSync(join(scratchDir(), 'n8n-worker-'));
	await installPackage(userFolder, tarball);
	const env = instanceEnv(main.userFolder);
	for (const key of Object.keys(env)) if (key.startsWith('N8N_INSTANCE_OWNER_')) delete env[key]; // main's business
	Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_RESTRICT_FILE_ACCESS_TO: join(userFolder, 'files'),
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
	});
	const logFile = join(userFolder, 'n8n.log');
	appendFileSync(logFile, `===== n8n worker ${name} start ${new Date().toISOString()} =====\n`);
	const fd = openSync(logFile, 'a');
	const child: ChildProcess = spawn(runtime.node, [runtime.n8nBin, 'worker', '--concurrency=5'], {
		env,
		cwd: userFolder,
		stdio: ['ignore', fd, fd],
	});
	closeSync(fd);
	let exitInfo: string | undefined;
	const exited = new Promise<void>((ok) =>
		child.once('exit', (code, signal) => {
			exitInfo = `exited with code ${code} signal ${signal}`;
			appendFileSync(logFile, `===== n8n worker ${name} ${exitInfo} =====\n`);
			ok();
		}),
	);
	const worker: N8nWorker = {
		name,
		userFolder,
		logFile,
		running: () => exitInfo === undefined,
		async stop() {
			if (exitInfo) return;
			child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
			await exited;
			clearTimeout(killer);
		},
	};
	const deadline = Date.now() + timeoutMs;
	try {
		while (!readFileSync(logFile, 'utf8').includes('n8n worker is now ready')) {
			if (exitInfo)
				throw new Error(`n8n worker ${name} ${exitInfo} during start-up:\n${tail(logFile)}`);
			if (Date.now() > deadline)
				throw new Error(`n8n worker ${name} not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
			await sleep(250);
		}
	} catch (error) {
		await worker.stop();
		rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}
	return worker;
}

/**
 * Main first (it runs the migrations and creates the owner), then the workers in parallel.
 * `env` is added to every process's environment.
 */
export async function startQueueN8n(opts: {
	services: QueueServices;
	tarball: string;
	workers?: number;
	env?: Record<string, string>;
	bootTimeoutMs?: number;
}): Promise<QueueDeployment> {
	const bootTimeoutMs = opts.bootTimeoutMs ?? 180_000;
	const main = await startN8n({
		packageTarball: opts.tarball,
		bootTimeoutMs,
		env: { ...opts.services.n8nEnv, EXECUTIONS_MODE: 'queue', ...(opts.env ?? {}) },
	});
	const workers: N8nWorker[] = [];
	const destroy = async () => {
		await Promise.all(workers.map(async (w) => await w.stop()));
		for (const w of workers) rmSync(w.userFolder, { recursive: true, force: true });
		await main.destroy();
	};
	try {
		const started = await Promise.allSettled(
			Array.from(
				{ length: opts.workers ?? 2 },
				async (_, i) => await startWorker(`worker-${i + 1}`, main, opts.tarball, bootTimeoutMs),
			),
		);
		for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
		const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
		if (failed) throw failed.reason;
	} catch (error) {
		await destroy();
		throw error;
	}
	return {
		main,
		workers,
		enqueued: (id) => jobLines(main.logFile, 'Enqueued', id),
		workerRuns: (id) =>
			workers.flatMap((w) =>
				jobLines(w.logFile, 'Worker started', id).map((jobId) => ({ process: w.name, jobId })),
			),
		destroy,
	};
}
