/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- test infrastructure: it spawns n8n and throws plain errors */
/**
 * n8n in queue mode: one main (`n8n start`, EXECUTIONS_MODE=queue: it serves the editor and the API and enqueues
 * every execution) and `n8n worker` processes that run them, on private Redis and PostgreSQL (./queue-services).
 * Without a webhook process, main also serves production (`/webhook/…`) and waiting (`/webhook-waiting/…`)
 * webhooks. With one (`webhookProcess: true`), the production topology: an `n8n webhook` process serves them,
 * main does not (N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true), and N8N_WEBHOOK_URL of every process (the URL
 * workers put into `$execution.resumeUrl`, in production a load balancer) is the webhook process's.
 * Every process has its own user folder with the package installed the way n8n installs community packages,
 * as on separate machines: they share only the database, Redis and N8N_ENCRYPTION_KEY.
 *
 * Which process did what is read from n8n's own info logs: the process that took the HTTP request (main or the
 * webhook process) logs `Enqueued execution <id> (job <n>)`, the worker that takes the job
 * `Worker started execution <id> (job <n>)`.
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
	type HttpResult,
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

/** An `n8n webhook` process: it serves production and waiting webhooks on its own port. */
export interface N8nWebhookProcess extends N8nWorker {
	baseUrl: string;
	port: number;
}

export interface JobRun {
	/** The process's name: 'main', 'webhook-1', 'worker-1'… */
	process: string;
	jobId: string;
}

export interface QueueDeployment {
	main: N8nInstance;
	workers: N8nWorker[];
	/** The (first) `n8n webhook` process, when started with `webhookProcess: true` or `webhookProcesses`. */
	webhook?: N8nWebhookProcess;
	/** Every `n8n webhook` process (`webhookProcesses: N`), each on its own port, as behind a load balancer. */
	webhooks: N8nWebhookProcess[];
	/**
	 * Base URL of production and waiting webhooks (N8N_WEBHOOK_URL without the trailing slash): the webhook
	 * process's, else main's.
	 */
	webhookUrl: string;
	/** POST (default) to a production webhook `<webhookUrl>/webhook/<path>`. */
	runViaWebhook<T = unknown>(
		path: string,
		body?: unknown,
		opts?: { method?: string; headers?: Record<string, string> },
	): Promise<HttpResult<T>>;
	/** Jobs enqueued for an execution (by main or the webhook process), in order. */
	enqueued(executionId: string): string[];
	/** Which process (main or the webhook process) enqueued which job of an execution, in order. */
	enqueuedBy(executionId: string): JobRun[];
	/** Every job enqueued so far, of any execution, in order. */
	allEnqueued(): Array<JobRun & { executionId: string }>;
	/** Which worker started which job of an execution (grouped by worker, not in time order). */
	workerRuns(executionId: string): JobRun[];
	/** Stops the webhook process, the workers and main, deletes their folders. */
	destroy(): Promise<void>;
}

const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));
const tail = (file: string, lines = 60) =>
	existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';

/** The lines `<verb> execution <id> (job <n>)` of a log (of one execution, or of all). */
function jobLines(
	file: string,
	verb: string,
	executionId = '\\w+',
): Array<{ executionId: string; jobId: string }> {
	if (!existsSync(file)) return [];
	const re = new RegExp(`${verb} execution (${executionId}) \\(job (\\w+)\\)`, 'g');
	return [...readFileSync(file, 'utf8').matchAll(re)].map((m) => ({
		executionId: m[1],
		jobId: m[2],
	}));
}

/** Bull's job ids count up (a Redis counter): their order is the order of enqueueing. */
const byJobId = (a: JobRun, b: JobRun) => Number(a.jobId) - Number(b.jobId);

/** Env vars only main gets. */
const MAIN_ONLY = /^(N8N_INSTANCE_OWNER_|N8N_DISABLE_PRODUCTION_MAIN_PROCESS$)/;

/**
 * Starts `n8n worker` or `n8n webhook` on its own user folder with main's environment (minus what is main's
 * business); resolves once it logs that it is ready.
 */
async function startHelper(
	kind: 'worker' | 'webhook',
	name: string,
	main: N8nInstance,
	tarball: string | null,
	timeoutMs: number,
	port?: number,
): Promise<N8nWorker> {
	const runtime = await resolveRuntime();
	const userFolder = mkdtempSync(join(scratchDir(), `n8n-${kind}-`));
	if (tarball) await installPackage(userFolder, tarball);
	const env = instanceEnv(main.userFolder);
	for (const key of Object.keys(env)) if (MAIN_ONLY.test(key)) delete env[key];
	Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_RESTRICT_FILE_ACCESS_TO: join(userFolder, 'files'),
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...(port ? { N8N_PORT: String(port) } : {}),
	});
	const logFile = join(userFolder, 'n8n.log');
	appendFileSync(logFile, `===== n8n ${kind} ${name} start ${new Date().toISOString()} =====\n`);
	const fd = openSync(logFile, 'a');
	const args = kind === 'worker' ? ['worker', '--concurrency=5'] : ['webhook'];
	const child: ChildProcess = spawn(runtime.node, [runtime.n8nBin, ...args], {
		env,
		cwd: userFolder,
		stdio: ['ignore', fd, fd],
	});
	closeSync(fd);
	let exitInfo: string | undefined;
	const exited = new Promise<void>((ok) =>
		child.once('exit', (code, signal) => {
			exitInfo = `exited with code ${code} signal ${signal}`;
			appendFileSync(logFile, `===== n8n ${kind} ${name} ${exitInfo} =====\n`);
			ok();
		}),
	);
	const helper: N8nWorker = {
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
	const ready =
		kind === 'worker' ? 'n8n worker is now ready' : 'Webhook listener waiting for requests.';
	const deadline = Date.now() + timeoutMs;
	try {
		while (!readFileSync(logFile, 'utf8').includes(ready)) {
			if (exitInfo)
				throw new Error(`n8n ${kind} ${name} ${exitInfo} during start-up:\n${tail(logFile)}`);
			if (Date.now() > deadline)
				throw new Error(`n8n ${kind} ${name} not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
			await sleep(250);
		}
	} catch (error) {
		await helper.stop();
		rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}
	return helper;
}

/**
 * Main first (it runs the migrations and creates the owner), then the workers and the webhook process in
 * parallel. `env` is added to every process's environment. `webhookPackage: false` starts the webhook process
 * without the package (to see what n8n does then).
 */
export async function startQueueN8n(opts: {
	services: QueueServices;
	tarball: string;
	workers?: number;
	webhookProcess?: boolean;
	/** How many `n8n webhook` processes (default 1 with `webhookProcess`, else 0); N8N_WEBHOOK_URL is the first's. */
	webhookProcesses?: number;
	webhookPackage?: boolean;
	env?: Record<string, string>;
	bootTimeoutMs?: number;
}): Promise<QueueDeployment> {
	const bootTimeoutMs = opts.bootTimeoutMs ?? 180_000;
	const webhookCount = opts.webhookProcesses ?? (opts.webhookProcess ? 1 : 0);
	const webhookPorts = await Promise.all(Array.from({ length: webhookCount }, freePort));
	const webhookPort = webhookPorts[0] as number | undefined;
	const webhookEnv: Record<string, string> = webhookPort
		? {
				N8N_WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/`,
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			}
		: {};
	const main = await startN8n({
		packageTarball: opts.tarball,
		bootTimeoutMs,
		env: {
			...opts.services.n8nEnv,
			EXECUTIONS_MODE: 'queue',
			...webhookEnv,
			...(opts.env ?? {}),
		},
	});
	const workers: N8nWorker[] = [];
	const webhooks: N8nWebhookProcess[] = [];
	const destroy = async () => {
		const helpers = [...workers, ...webhooks.filter(Boolean)];
		await Promise.all(helpers.map(async (p) => await p.stop()));
		for (const p of helpers) rmSync(p.userFolder, { recursive: true, force: true });
		await main.destroy();
	};
	try {
		const started = await Promise.allSettled([
			...Array.from(
				{ length: opts.workers ?? 2 },
				async (_, i) =>
					await startHelper('worker', `worker-${i + 1}`, main, opts.tarball, bootTimeoutMs),
			),
			...webhookPorts.map(async (port, i) => {
				const w = await startHelper(
					'webhook',
					`webhook-${i + 1}`,
					main,
					opts.webhookPackage === false ? null : opts.tarball,
					bootTimeoutMs,
					port,
				);
				webhooks[i] = { ...w, baseUrl: `http://127.0.0.1:${port}`, port };
				return w;
			}),
		]);
		for (const [i, s] of started.entries())
			if (s.status === 'fulfilled' && i < (opts.workers ?? 2)) workers.push(s.value);
		const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
		if (failed) throw failed.reason;
	} catch (error) {
		await destroy();
		throw error;
	}
	const webhook = webhooks[0] as N8nWebhookProcess | undefined;
	const webhookUrl = webhook?.baseUrl ?? main.baseUrl;
	const enqueuers = (): Array<{ name: string; logFile: string }> => [
		{ name: 'main', logFile: main.logFile },
		...webhooks,
	];
	const allEnqueued = (executionId?: string) =>
		enqueuers()
			.flatMap((p) =>
				jobLines(p.logFile, 'Enqueued', executionId).map((l) => ({ ...l, process: p.name })),
			)
			.sort(byJobId);
	const enqueuedBy = (id: string): JobRun[] =>
		allEnqueued(id).map(({ process, jobId }) => ({ process, jobId }));
	return {
		main,
		workers,
		webhook,
		webhooks,
		webhookUrl,
		async runViaWebhook<T>(
			path: string,
			body?: unknown,
			o: { method?: string; headers?: Record<string, string> } = {},
		): Promise<HttpResult<T>> {
			const res = await fetch(`${webhookUrl}/webhook/${path.replace(/^\/+/, '')}`, {
				method: o.method ?? 'POST',
				headers: { accept: 'application/json', 'content-type': 'application/json', ...o.headers },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await res.text();
			let parsed: unknown = text;
			try {
				parsed = text ? JSON.parse(text) : undefined;
			} catch {
				/* not JSON */
			}
			return { status: res.status, headers: res.headers, body: parsed as T };
		},
		enqueued: (id) => enqueuedBy(id).map((r) => r.jobId),
		enqueuedBy,
		allEnqueued: () => allEnqueued(),
		workerRuns: (id) =>
			workers.flatMap((w) =>
				jobLines(w.logFile, 'Worker started', id).map(({ jobId }) => ({ process: w.name, jobId })),
			),
		destroy,
	};
}
