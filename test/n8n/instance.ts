/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- test infrastructure: it spawns n8n and throws plain errors */
/**
 * A real n8n (the version installed by scripts/install-n8n.sh) running as a child process, with this
 * package installed the way n8n installs community packages: `npm pack` → untar into
 * `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-act-two` → strip dev/peer/optional deps.
 *
 * The owner is bootstrapped through env (bcrypt hash from n8n's own bcryptjs), an API key is created
 * through /rest/login + /rest/api-keys, and everything else goes through the public API.
 * n8n's output goes to `<userFolder>/n8n.log`; failures include its tail. API keys are never printed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
	appendFileSync,
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readlinkSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'n8n-nodes-act-two';

export interface Runtime {
	node: string;
	n8nBin: string;
	/** n8n's node_modules (bcryptjs etc. are required from here). */
	n8nModules: string;
	/** n8n's version, from its package.json (e.g. "2.39.10"). */
	version: string;
}

export interface StartOptions {
	/** n8n user folder (N8N_USER_FOLDER). A fresh temp folder under .n8n-e2e/ when omitted. */
	userFolder?: string;
	/** Port (N8N_PORT). A free one when omitted. */
	port?: number;
	/** Extra env for n8n (wins over the defaults). */
	env?: Record<string, string | undefined>;
	/**
	 * Package tarball to install into the user folder. `true` = build + `npm pack` this repo
	 * (cached per process), a string = that .tgz, `false`/omitted = no package.
	 */
	packageTarball?: string | boolean;
	/** Owner login; defaults to owner@act-two.test / a random password. */
	owner?: { email?: string; password?: string; firstName?: string; lastName?: string };
	/** Boot timeout in ms (default 120 s). */
	bootTimeoutMs?: number;
}

export interface HttpResult<T = unknown> {
	status: number;
	headers: Headers;
	body: T;
}

export interface Execution {
	id: string;
	finished: boolean;
	mode: string;
	status: string;
	startedAt: string;
	stoppedAt: string | null;
	workflowId: string;
	waitTill?: string | null;
	data?: ExecutionData;
	[key: string]: unknown;
}

/** The part of an execution's `data` tests read (n8n's IRunExecutionData, loosely typed). */
export interface ExecutionData {
	resultData: {
		runData: Record<string, NodeRun[]>;
		lastNodeExecuted?: string;
		error?: { message: string; description?: string; [key: string]: unknown };
	};
	executionData?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	error?: { message: string; description?: string; [key: string]: unknown };
	data?: {
		main: Array<Array<{
			json: Record<string, unknown>;
			binary?: Record<string, BinaryRef>;
		}> | null>;
	};
	[key: string]: unknown;
}

export interface BinaryRef {
	mimeType: string;
	fileName?: string;
	fileSize?: string;
	id?: string;
	[key: string]: unknown;
}

/** Items a node produced in an execution (run `run`, output `output`); [] when it did not run. */
export function nodeOutput(
	exec: { data?: ExecutionData } | null,
	node: string,
	output = 0,
	run = 0,
) {
	return exec?.data?.resultData.runData[node]?.[run]?.data?.main[output] ?? [];
}

export interface WaitOptions {
	timeoutMs?: number;
	/** Statuses that end the wait (default: success, error, crashed, canceled, waiting). */
	statuses?: string[];
	/** Only executions of this workflow (list mode). */
	workflowId?: string;
	intervalMs?: number;
}

export interface N8nInstance {
	baseUrl: string;
	port: number;
	userFolder: string;
	logFile: string;
	owner: { email: string; password: string; firstName: string; lastName: string };
	/** Set once the instance has started; never print it. */
	apiKey: string;
	/** Public API (/api/v1/...), X-N8N-API-KEY. Throws on non-2xx unless `opts.ok` is false. */
	api<T = unknown>(
		method: string,
		path: string,
		body?: unknown,
		opts?: { ok?: boolean },
	): Promise<HttpResult<T>>;
	/**
	 * Internal REST API (/rest/...) with the owner's session cookie. Unwraps `{ data }`.
	 * `raw: true` takes `path` from the root instead (e.g. '/types/nodes.json').
	 */
	rest<T = unknown>(
		method: string,
		path: string,
		body?: unknown,
		opts?: { ok?: boolean; raw?: boolean },
	): Promise<HttpResult<T>>;
	/** Creates a workflow through the public API, returns its id. */
	importWorkflow(workflow: WorkflowJson | string): Promise<string>;
	/**
	 * Publishes the workflow and returns once its triggers are live (production webhooks registered),
	 * also where n8n publishes in the background (see settlePublication).
	 */
	publish(id: string): Promise<void>;
	/** Unpublishes the workflow and returns once its triggers are down. */
	unpublish(id: string): Promise<void>;
	/** POST (default) to a production webhook `/webhook/<path>`. */
	runViaWebhook<T = unknown>(
		path: string,
		body?: unknown,
		opts?: { method?: string; headers?: Record<string, string> },
	): Promise<HttpResult<T>>;
	/** `n8n execute --id` in a second process on the same database (Manual Trigger workflows). */
	executeWorkflowCli(id: string, opts?: { timeoutMs?: number }): Promise<CliRun>;
	/** Polls /api/v1/executions?includeData=true until an execution matches (id or predicate) and has settled. */
	waitForExecution(
		match: string | ((e: Execution) => boolean),
		opts?: WaitOptions | number,
	): Promise<Execution>;
	/** All executions (newest first), optionally of one workflow, with data. */
	listExecutions(opts?: {
		workflowId?: string;
		includeData?: boolean;
		status?: string;
		limit?: number;
	}): Promise<Execution[]>;
	/** Creates a credential through the public API, returns its id. */
	createCredential(name: string, type: string, data: Record<string, unknown>): Promise<string>;
	/** Last `lines` lines of n8n's log. */
	logTail(lines?: number): string;
	/** Stops n8n (SIGTERM, then SIGKILL). The user folder stays. */
	stop(): Promise<void>;
	/** Starts n8n again on the same folder and port (restart tests). */
	start(): Promise<void>;
	running(): boolean;
	/** stop() and delete the user folder. */
	destroy(): Promise<void>;
}

/**
 * Result of `n8n execute --id --rawOutput`. `execution` is the JSON it printed (status, data.resultData…).
 * Note: n8n 2.39.10 on Node 24 sometimes dies with SIGSEGV while exiting, AFTER printing and storing the
 * execution; `code`/`signal` show that, judge the run by `execution.status`.
 */
export interface CliRun {
	execution: {
		status: string;
		finished: boolean;
		data?: ExecutionData;
		[key: string]: unknown;
	} | null;
	code: number;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	staticData?: unknown;
	[key: string]: unknown;
}

/* ------------------------------------------------------------------------------------------------ */

let runtimeCache: Runtime | undefined;

/** Node 24 + n8n paths: from NODE24/N8N_BIN env, else from scripts/install-n8n.sh (cached install). */
export async function resolveRuntime(): Promise<Runtime> {
	if (runtimeCache) return runtimeCache;
	let node = process.env.NODE24;
	let n8nBin = process.env.N8N_BIN;
	if (!node || !n8nBin || !existsSync(node) || !existsSync(n8nBin)) {
		const { stdout } = await execFileP('bash', [join(REPO_ROOT, 'scripts', 'install-n8n.sh')], {
			cwd: REPO_ROOT,
			maxBuffer: 64 * 1024 * 1024,
		});
		node = /^NODE24=(.*)$/m.exec(stdout)?.[1];
		n8nBin = /^N8N_BIN=(.*)$/m.exec(stdout)?.[1];
		if (!node || !n8nBin)
			throw new Error(`scripts/install-n8n.sh printed no NODE24/N8N_BIN:\n${stdout}`);
	}
	// <dir>/node_modules/n8n/bin/n8n → <dir>/node_modules
	const n8nModules = resolve(n8nBin, '..', '..', '..');
	const { version } = JSON.parse(readFileSync(join(n8nModules, 'n8n', 'package.json'), 'utf8')) as {
		version: string;
	};
	runtimeCache = { node, n8nBin, n8nModules, version };
	return runtimeCache;
}

/** Whether n8n `version` ("2.41.1") is `min` or newer (numeric major.minor.patch). */
export function n8nAtLeast(version: string, min: string): boolean {
	const a = version.split('.').map(Number);
	const b = min.split('.').map(Number);
	for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
	return true;
}

export async function freePort(): Promise<number> {
	return await new Promise((ok, fail) => {
		const srv = createServer();
		srv.unref();
		srv.on('error', fail);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => ok(port));
		});
	});
}

let packCache: Promise<string> | undefined;

/**
 * `npm run build` (unless `build: false`) and `npm pack` this repo into .n8n-e2e/pack/. Cached per process.
 * Set ACT_TWO_SKIP_BUILD=1 when the caller already built (scripts/test.sh does).
 */
export async function packPackage(opts: { build?: boolean } = {}): Promise<string> {
	if (packCache) return await packCache;
	packCache = (async () => {
		const build = opts.build ?? process.env.ACT_TWO_SKIP_BUILD !== '1';
		const npm = 'npm';
		if (build) await run(npm, ['run', 'build'], REPO_ROOT, 'npm run build');
		const dest = join(REPO_ROOT, '.n8n-e2e', 'pack');
		mkdirSync(dest, { recursive: true });
		const out = await run(
			npm,
			['pack', '--json', '--pack-destination', dest],
			REPO_ROOT,
			'npm pack',
		);
		const parsed = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>;
		return join(dest, parsed[0].filename);
	})();
	return await packCache;
}

/** Installs a tarball as n8n's community-package installer does (untar, strip dev/peer/optional deps). */
export async function installPackage(userFolder: string, tarball: string): Promise<string> {
	const dir = join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	await execFileP('rm', ['-rf', dir]);
	mkdirSync(dir, { recursive: true });
	await execFileP('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
	const pkgFile = join(dir, 'package.json');
	const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	delete pkg.optionalDependencies;
	writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
	// n8n records its own packages in <userFolder>/.n8n/nodes/package.json
	const nodesPkg = join(userFolder, '.n8n', 'nodes', 'package.json');
	const deps = existsSync(nodesPkg)
		? ((JSON.parse(readFileSync(nodesPkg, 'utf8')) as { dependencies?: Record<string, string> })
				.dependencies ?? {})
		: {};
	deps[PACKAGE_NAME] = String(pkg.version);
	writeFileSync(
		nodesPkg,
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: deps }, null, 2),
	);
	if (pkg.dependencies && Object.keys(pkg.dependencies as object).length > 0) {
		await run(
			'npm',
			['install', '--ignore-scripts=true', '--install-strategy=shallow', '--no-audit', '--no-fund'],
			dir,
			'npm install (package deps)',
		);
	}
	return dir;
}

/** bcrypt hash with n8n's own bcryptjs (no extra dependency). */
export function bcryptHash(password: string, runtime: Runtime): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const bcrypt = require(join(runtime.n8nModules, 'bcryptjs')) as {
		hashSync(p: string, rounds: number): string;
	};
	return bcrypt.hashSync(password, 10);
}

async function run(cmd: string, args: string[], cwd: string, label: string): Promise<string> {
	try {
		const { stdout } = await execFileP(cmd, args, {
			cwd,
			maxBuffer: 64 * 1024 * 1024,
			env: process.env,
		});
		return stdout;
	} catch (error) {
		const e = error as { stdout?: string; stderr?: string; message: string };
		throw new Error(`${label} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
	}
}

function tail(file: string, lines: number): string {
	if (!existsSync(file)) return '(no log)';
	return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

const SETTLED = ['success', 'error', 'crashed', 'canceled', 'waiting'];

/* ------------------------------------------------------------------------------------------------ */

/**
 * Where throw-away n8n user folders go: outside the repo, because every n8n folder holds a
 * `.n8n/nodes/package.json` named "installed-nodes" and two of them under jest's rootDir collide in its haste map.
 * One folder per checkout (hash of REPO_ROOT), so parallel checkouts never share it.
 */
export function scratchDir(): string {
	const dir = join(
		tmpdir(),
		`act-two-n8n-${createHash('sha1').update(REPO_ROOT).digest('hex').slice(0, 8)}`,
	);
	mkdirSync(dir, { recursive: true });
	return dir;
}

interface SavedState {
	owner: N8nInstance['owner'];
	encryptionKey: string;
	apiKey?: string;
	port: number;
	baseUrl: string;
	pid?: number;
	env: Record<string, string>;
	bootTimeoutMs: number;
}

const stateFileOf = (userFolder: string) => join(userFolder, 'instance.json');

function readState(userFolder: string): SavedState | undefined {
	const f = stateFileOf(userFolder);
	return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as SavedState) : undefined;
}

/**
 * The environment startN8n gave the n8n on `userFolder` (it holds the encryption key: never print it).
 * Other n8n processes of the same deployment (queue-mode workers) start from it.
 */
export function instanceEnv(userFolder: string): Record<string, string> {
	const state = readState(resolve(userFolder));
	if (!state) throw new Error(`no n8n instance state in ${userFolder}`);
	return { ...state.env };
}

/**
 * Whether `pid` is still the n8n we started on `userFolder` (never signal a recycled pid): it must be
 * alive and, where /proc exists, run with that folder as its working directory.
 */
function pidAlive(pid: number | undefined, userFolder?: string): boolean {
	if (!pid) return false;
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	if (!userFolder || !existsSync('/proc/self/cwd')) return true;
	try {
		return readlinkSync(`/proc/${pid}/cwd`) === userFolder;
	} catch {
		return false;
	}
}

/**
 * Starts n8n on a (new or existing) user folder. On an existing folder the owner, encryption key, port
 * and API key saved in `<userFolder>/instance.json` are reused (restart tests).
 */
export async function startN8n(options: StartOptions = {}): Promise<N8nInstance> {
	const runtime = await resolveRuntime();
	const base = scratchDir();
	const userFolder = resolve(options.userFolder ?? mkdtempSync(join(base, 'n8n-')));
	mkdirSync(userFolder, { recursive: true });
	const saved = readState(userFolder);
	const port = options.port ?? saved?.port ?? (await freePort());
	const baseUrl = `http://127.0.0.1:${port}`;
	const owner = {
		email: options.owner?.email ?? saved?.owner.email ?? 'owner@act-two.test',
		password:
			options.owner?.password ??
			saved?.owner.password ??
			`Pw-${randomBytes(9).toString('base64url')}9a`,
		firstName: options.owner?.firstName ?? saved?.owner.firstName ?? 'Act',
		lastName: options.owner?.lastName ?? saved?.owner.lastName ?? 'Two',
	};
	const encryptionKey = saved?.encryptionKey ?? randomBytes(24).toString('hex');

	if (options.packageTarball) {
		const tarball = options.packageTarball === true ? await packPackage() : options.packageTarball;
		await installPackage(userFolder, tarball);
	}

	const env: Record<string, string> = {
		PATH: `${resolve(runtime.node, '..')}:${process.env.PATH ?? ''}`,
		HOME: process.env.HOME ?? userFolder,
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `${baseUrl}/`,
		N8N_EDITOR_BASE_URL: `${baseUrl}/`,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_NO_COLOR: 'true',
		NO_COLOR: '1',
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcryptHash(owner.password, runtime),
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_RESTRICT_FILE_ACCESS_TO: join(userFolder, 'files'),
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		DB_SQLITE_POOL_SIZE: '2',
		// every n8n on this machine needs its own task-broker port (default 5679)
		N8N_RUNNERS_BROKER_PORT: String(saved?.env.N8N_RUNNERS_BROKER_PORT ?? (await freePort())),
		// its registry refresh only calls api.n8n.io (no network here)
		N8N_DISABLED_MODULES: 'mcp-registry',
	};
	for (const [k, v] of Object.entries(options.env ?? {})) {
		if (v === undefined) delete env[k];
		else env[k] = v;
	}
	for (const dir of env.N8N_RESTRICT_FILE_ACCESS_TO.split(';').filter(Boolean))
		mkdirSync(dir, { recursive: true });

	const state: SavedState = {
		owner,
		encryptionKey,
		apiKey: saved?.apiKey,
		port,
		baseUrl,
		env,
		bootTimeoutMs: options.bootTimeoutMs ?? 120_000,
	};
	const instance = makeInstance(userFolder, state, runtime);
	await instance.start();
	return instance;
}

/**
 * A client for an n8n started by startN8n in another process (e.g. jest's globalSetup), from the
 * `instance.json` in its user folder. stop()/start() work too (by pid / a new child process).
 */
export async function connectN8n(userFolder: string): Promise<N8nInstance> {
	const state = readState(resolve(userFolder));
	if (!state) throw new Error(`no n8n instance state in ${userFolder}`);
	const instance = makeInstance(resolve(userFolder), state, await resolveRuntime());
	if (instance.running()) await instance.login();
	return instance;
}

type InternalInstance = N8nInstance & {
	bootMs: number;
	login(): Promise<void>;
	pid(): number | undefined;
};

function makeInstance(userFolder: string, state: SavedState, runtime: Runtime): InternalInstance {
	const { baseUrl, port, owner, env } = state;
	const logFile = join(userFolder, 'n8n.log');
	let child: ChildProcess | undefined;
	let exited: Promise<void> = Promise.resolve();
	let cookie = '';
	const browserId = randomBytes(8).toString('hex');

	const persist = () =>
		writeFileSync(stateFileOf(userFolder), JSON.stringify(state, null, 2), { mode: 0o600 });

	async function http<T>(
		method: string,
		url: string,
		headers: Record<string, string>,
		body: unknown,
		ok: boolean,
		label: string,
	): Promise<HttpResult<T>> {
		const init: RequestInit = { method, headers: { accept: 'application/json', ...headers } };
		if (body !== undefined) {
			init.body = typeof body === 'string' ? body : JSON.stringify(body);
			(init.headers as Record<string, string>)['content-type'] = 'application/json';
		}
		const res = await fetch(url, init);
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			/* not JSON */
		}
		if (ok && !res.ok)
			throw new Error(
				`${label} ${method} ${url.replace(baseUrl, '')} → ${res.status}: ${text.slice(0, 1000)}`,
			);
		return { status: res.status, headers: res.headers, body: parsed as T };
	}

	async function ensureApiKey(): Promise<void> {
		if (state.apiKey) {
			const probe = await fetch(`${baseUrl}/api/v1/workflows?limit=1`, {
				headers: { 'X-N8N-API-KEY': state.apiKey },
			});
			if (probe.ok) return;
		}
		const scopes = await instance.rest<string[]>('GET', '/api-keys/scopes');
		const created = await instance.rest<{ rawApiKey: string }>('POST', '/api-keys', {
			label: `e2e-${Date.now()}`,
			scopes: scopes.body,
			expiresAt: null,
		});
		state.apiKey = created.body.rawApiKey;
		persist();
	}

	async function boot(): Promise<void> {
		const t0 = Date.now();
		// n8n writes straight into the log file, so it keeps logging (and shuts down cleanly) even when
		// the process that started it (jest's globalSetup) is gone.
		appendFileSync(logFile, `\n===== n8n start ${new Date().toISOString()} port ${port} =====\n`);
		const fd = openSync(logFile, 'a');
		const c = spawn(runtime.node, [runtime.n8nBin, 'start'], {
			env,
			cwd: userFolder,
			stdio: ['ignore', fd, fd],
		});
		closeSync(fd);
		child = c;
		let exitInfo: string | undefined;
		exited = new Promise((ok) =>
			c.once('exit', (code, signal) => {
				exitInfo = `exited with code ${code} signal ${signal}`;
				appendFileSync(logFile, `===== n8n ${exitInfo} =====\n`);
				ok();
			}),
		);
		state.pid = c.pid;
		persist();
		for (;;) {
			if (exitInfo)
				throw new Error(`n8n ${exitInfo} during start-up. Log tail:\n${tail(logFile, 80)}`);
			if (Date.now() - t0 > state.bootTimeoutMs) {
				await instance.stop();
				throw new Error(
					`n8n did not become ready in ${state.bootTimeoutMs} ms. Log tail:\n${tail(logFile, 80)}`,
				);
			}
			try {
				const res = await fetch(`${baseUrl}/healthz/readiness`);
				if (res.ok) break;
			} catch {
				/* not listening yet */
			}
			await sleep(250);
		}
		await instance.login();
		await ensureApiKey();
		instance.bootMs = Date.now() - t0;
	}

	/**
	 * n8n 2.41 publishes through an outbox by default (2.39/2.40 only with N8N_USE_WORKFLOW_PUBLICATION_SERVICE=true):
	 * POST /publish returns once the new active version is recorded, and a background consumer registers the
	 * triggers and webhooks a moment later. Until then a production webhook answers 404 "not registered". The
	 * editor polls GET /rest/workflows/:id/publication-status; so do we. Without the outbox that endpoint answers
	 * 404 and publishing was already done inside the request.
	 */
	async function settlePublication(id: string, want: 'published' | 'not_published') {
		const deadline = Date.now() + 60_000;
		for (;;) {
			const res = await instance.rest<{
				status: string;
				triggers?: Array<{ nodeId: string; status: string; errorMessage?: string | null }>;
			}>('GET', `/workflows/${id}/publication-status`, undefined, { ok: false });
			if (res.status === 404) return;
			if (res.status !== 200)
				throw new Error(
					`publication status of ${id} → ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`,
				);
			const { status, triggers = [] } = res.body;
			if (status !== 'in_progress') {
				if (want === 'published' && status !== 'published')
					throw new Error(
						`workflow ${id} did not publish: ${status} ${JSON.stringify(triggers)}. n8n log tail:\n${tail(logFile, 40)}`,
					);
				if (want === status || want === 'published') return;
			}
			if (Date.now() > deadline)
				throw new Error(
					`workflow ${id} still ${status} after 60 s (want ${want}). n8n log tail:\n${tail(logFile, 40)}`,
				);
			await sleep(100);
		}
	}

	const instance: InternalInstance = {
		baseUrl,
		port,
		userFolder,
		logFile,
		owner,
		bootMs: 0,
		get apiKey() {
			return state.apiKey ?? '';
		},
		pid: () => state.pid,
		async login() {
			const res = await fetch(`${baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': browserId },
				body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
			});
			if (!res.ok)
				throw new Error(
					`login as ${owner.email} failed: ${res.status} ${(await res.text()).slice(0, 300)}`,
				);
			cookie = res.headers
				.getSetCookie()
				.map((c) => c.split(';')[0])
				.join('; ');
		},
		async api<T>(method: string, path: string, body?: unknown, opts: { ok?: boolean } = {}) {
			return await http<T>(
				method,
				`${baseUrl}/api/v1${path}`,
				{ 'X-N8N-API-KEY': state.apiKey ?? '' },
				body,
				opts.ok ?? true,
				'public API',
			);
		},
		async rest<T>(
			method: string,
			path: string,
			body?: unknown,
			opts: { ok?: boolean; raw?: boolean } = {},
		) {
			const url = opts.raw ? `${baseUrl}${path}` : `${baseUrl}/rest${path}`;
			const call = async () =>
				await http<{ data?: T } | T>(
					method,
					url,
					{ cookie, 'browser-id': browserId },
					body,
					false,
					'REST',
				);
			let res = await call();
			if (res.status === 401) {
				await instance.login();
				res = await call();
			}
			if ((opts.ok ?? true) && (res.status < 200 || res.status >= 300)) {
				throw new Error(
					`REST ${method} ${path} → ${res.status}: ${JSON.stringify(res.body).slice(0, 1000)}`,
				);
			}
			const b = res.body as { data?: T };
			return { ...res, body: (b && typeof b === 'object' && 'data' in b ? b.data : b) as T };
		},
		async importWorkflow(workflow) {
			const wf = (
				typeof workflow === 'string' ? JSON.parse(readFileSync(workflow, 'utf8')) : workflow
			) as WorkflowJson;
			const res = await instance.api<{ id: string }>('POST', '/workflows', {
				name: wf.name,
				nodes: wf.nodes,
				connections: wf.connections,
				settings: wf.settings ?? { executionOrder: 'v1' },
				...(wf.staticData ? { staticData: wf.staticData } : {}),
			});
			return res.body.id;
		},
		async publish(id) {
			await instance.api('POST', `/workflows/${id}/publish`, {});
			await settlePublication(id, 'published');
		},
		async unpublish(id) {
			await instance.api('POST', `/workflows/${id}/unpublish`, {});
			await settlePublication(id, 'not_published');
		},
		async runViaWebhook<T>(
			path: string,
			body?: unknown,
			opts: { method?: string; headers?: Record<string, string> } = {},
		) {
			const url = `${baseUrl}/webhook/${path.replace(/^\/+/, '')}`;
			return await http<T>(opts.method ?? 'POST', url, opts.headers ?? {}, body, false, 'webhook');
		},
		async executeWorkflowCli(id, opts = {}) {
			const brokerPort = await freePort();
			return await new Promise((ok) => {
				const p = spawn(runtime.node, [runtime.n8nBin, 'execute', `--id=${id}`, '--rawOutput'], {
					env: { ...env, N8N_RUNNERS_BROKER_PORT: String(brokerPort) },
					cwd: userFolder,
				});
				let stdout = '';
				let stderr = '';
				p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
				p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
				const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
				p.on('exit', (code, signal) => {
					clearTimeout(timer);
					let execution: CliRun['execution'] = null;
					const start = stdout.indexOf('{');
					if (start >= 0) {
						try {
							execution = JSON.parse(
								stdout.slice(start, stdout.lastIndexOf('}') + 1),
							) as CliRun['execution'];
						} catch {
							/* not the raw JSON output */
						}
					}
					ok({ execution, stdout, stderr, code: code ?? -1, signal });
				});
			});
		},
		async listExecutions(opts = {}) {
			const q = new URLSearchParams({
				includeData: String(opts.includeData ?? true),
				limit: String(opts.limit ?? 50),
			});
			if (opts.workflowId) q.set('workflowId', opts.workflowId);
			if (opts.status) q.set('status', opts.status);
			const res = await instance.api<{ data: Execution[] }>('GET', `/executions?${q.toString()}`);
			return res.body.data;
		},
		async waitForExecution(match, optsOrTimeout = {}) {
			const opts: WaitOptions =
				typeof optsOrTimeout === 'number' ? { timeoutMs: optsOrTimeout } : optsOrTimeout;
			const statuses = opts.statuses ?? SETTLED;
			const timeoutMs = opts.timeoutMs ?? 60_000;
			const deadline = Date.now() + timeoutMs;
			let last: unknown;
			for (;;) {
				if (typeof match === 'string') {
					const res = await instance.api<Execution>(
						'GET',
						`/executions/${match}?includeData=true`,
						undefined,
						{ ok: false },
					);
					if (res.status === 200) {
						last = res.body.status;
						if (statuses.includes(res.body.status)) return res.body;
					}
				} else {
					const list = await instance.listExecutions({ workflowId: opts.workflowId });
					last = list.map((e) => `${e.id}:${e.status}`).join(',');
					const hit = list.find((e) => statuses.includes(e.status) && match(e));
					if (hit) return hit;
				}
				if (Date.now() > deadline) {
					throw new Error(
						`no execution matched within ${timeoutMs} ms (last seen: ${String(last)}). n8n log tail:\n${tail(logFile, 40)}`,
					);
				}
				await sleep(opts.intervalMs ?? 300);
			}
		},
		async createCredential(name, type, data) {
			// the public API wants every required field: fill the missing ones from the type's defaults
			const schema = await instance.api<{ properties?: Record<string, { default?: unknown }> }>(
				'GET',
				`/credentials/schema/${type}`,
				undefined,
				{ ok: false },
			);
			const defaults = await instance.rest<
				Array<{ name: string; properties: Array<{ name: string; default?: unknown }> }>
			>('GET', '/types/credentials.json', undefined, { raw: true, ok: false });
			const props = Array.isArray(defaults.body)
				? defaults.body.find((c) => c.name === type)?.properties
				: undefined;
			data = { ...data };
			for (const key of Object.keys(schema.body?.properties ?? {})) {
				const def = props?.find((p) => p.name === key)?.default;
				if (data[key] === undefined && def !== undefined && def !== '') data[key] = def;
			}
			const res = await instance.api<{ id: string }>('POST', '/credentials', { name, type, data });
			return res.body.id;
		},
		logTail(lines = 80) {
			return tail(logFile, lines);
		},
		running() {
			if (child) return child.exitCode === null && child.signalCode === null;
			return pidAlive(state.pid, userFolder);
		},
		async stop() {
			if (child) {
				if (!instance.running()) return;
				const c = child;
				c.kill('SIGTERM');
				const killer = setTimeout(() => c.kill('SIGKILL'), 20_000);
				await exited;
				clearTimeout(killer);
				return;
			}
			// started by another process: stop by pid
			const pid = state.pid;
			if (!pidAlive(pid, userFolder)) return;
			process.kill(pid!, 'SIGTERM');
			const deadline = Date.now() + 20_000;
			while (pidAlive(pid, userFolder) && Date.now() < deadline) await sleep(200);
			if (pidAlive(pid, userFolder)) process.kill(pid!, 'SIGKILL');
			while (pidAlive(pid, userFolder)) await sleep(100);
		},
		async start() {
			if (instance.running()) return;
			await boot();
		},
		async destroy() {
			await instance.stop();
			rmSync(userFolder, { recursive: true, force: true });
		},
	};
	return instance;
}
