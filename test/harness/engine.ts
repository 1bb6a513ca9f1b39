/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Runs workflows inside n8n's real execution engine (n8n-core `WorkflowExecute`), in the spirit of n8n's
 * own NodeTestHarness (`packages/core/nodes-testing/node-test-harness.ts`): workflow JSON in, outputs out.
 *
 * Real pieces: WorkflowExecute + ExecutionLifecycleHooks, ExecuteContext/WebhookContext (all `this.*` of a
 * node), n8n's HTTP helpers (`@n8n/backend-network`), BinaryDataService in filesystem mode (through
 * `@n8n/di` Container), RoutingNode for credential tests, the expression engine.
 * Replaced: the credential store (HarnessCredentialsHelper), the node loader (registry.ts), the DB.
 */
import 'reflect-metadata';

import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	ExecuteContext,
	ExecutionLifecycleHooks,
	HookContext,
	InstanceSettings,
	RoutingNode,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IConnections,
	IDataObject,
	IExecuteData,
	IHttpRequestMethods,
	INode,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	IPinData,
	IRun,
	IRunExecutionData,
	ITaskData,
	IVersionedNodeType,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WebhookType,
	WorkflowActivateMode,
	WorkflowExecuteMode,
	ExecutionError,
} from 'n8n-workflow';
import {
	createRunExecutionData,
	deepCopy,
	isExpression,
	isNodeClassInstance,
	Workflow,
} from 'n8n-workflow';
import path from 'node:path';
import type { Readable } from 'node:stream';

import {
	ManualTrigger,
	MANUAL_TRIGGER_TYPE,
	NoOp,
	NO_OP_TYPE,
	SetItems,
	SET_ITEMS_TYPE,
} from './core-nodes';
import { HarnessCredentialsHelper, type CredentialsMap } from './credentials-helper';
import { HARNESS_TMP_DIR, withHarnessEnv } from './env';
import {
	CredentialTypeRegistry,
	loadPackageFromSource,
	NodeTypeRegistry,
	type CredentialClass,
	type NodeClass,
	type SourceLoadResult,
} from './registry';

// ---------------------------------------------------------------------------------------------------------
// Types

export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
}

export type RunStatus = 'success' | 'error' | 'waiting' | 'canceled';

export interface RunOptions {
	/** Credential data by credential type name, e.g. `{ runwayApi: { apiKey: 'k', baseUrl: 'http://127.0.0.1:1234' } }`. */
	credentials?: CredentialsMap;
	/** Extra node classes (or instances) by full type name, e.g. `{ 'test.echo': EchoNode }`. */
	nodeTypes?: Record<string, NodeClass | INodeType | IVersionedNodeType>;
	/** Extra credential classes (or instances), registered under their `name`. */
	credentialTypes?: Array<CredentialClass | ICredentialType>;
	/** Aborting it cancels the run the way n8n's "Stop execution" does (PCancelable.cancel()). */
	abortSignal?: AbortSignal;
	/** Cancel the run after this many ms (status 'canceled', `timedOut: true`). */
	timeoutMs?: number;
	/** How long to wait, after cancelling, for the engine to settle before returning the hook's data. Default 5000. */
	cancelGraceMs?: number;
	/** Execution mode. Default 'manual' (what the editor's "Execute workflow" uses; NodeTestHarness default too). */
	mode?: WorkflowExecuteMode;
	/** Node to start from. Default: the workflow's start node (first trigger). */
	startNode?: string;
	/** Input items of the start node. Default `[{ json: {} }]`. */
	startItems?: INodeExecutionData[];
	/**
	 * Workflow static data. Mutated in place, so pass the same object to several runs (and webhook calls)
	 * within a test to persist `getWorkflowStaticData('node' | 'global')` across them.
	 */
	staticData?: IDataObject;
	/** Execution id. Default: a fresh numeric string. */
	executionId?: string;
	/** Base URL used for `$execution.resumeUrl`, webhook URLs etc. Default `http://localhost:5678/`. */
	instanceBaseUrl?: string;
	/** Load `nodes/**\/*.node.ts` and `credentials/*.credentials.ts` from source. Default true. */
	loadPackage?: boolean;
	/** Told when an execution (re)starts and when it ends; the waiting webhook server uses it. */
	executionObserver?: ExecutionObserver;
}

export interface ExecutionObserver {
	onStart(executionId: string): void;
	onResult(result: RunResult): void;
}

export interface RunResult {
	status: RunStatus;
	executionId: string;
	/** The IRun the engine produced. */
	data: IRun;
	/** Output items of `nodeName` on `outputIndex` (json + binary metadata) of its last run (or `runIndex`). */
	outputs(nodeName: string, outputIndex?: number, runIndex?: number): INodeExecutionData[];
	/** Task data of every run of `nodeName`. */
	runs(nodeName: string): ITaskData[];
	/** The execution error (resultData.error), if any. */
	error?: ExecutionError;
	waitTill?: Date;
	/** True when `timeoutMs` cancelled the run. */
	timedOut: boolean;
	/** Names of the nodes in the order they finished (nodeExecuteAfter hook). */
	nodeExecutionOrder: string[];
	/** Plain copy of the workflow static data after the run. */
	staticData: IDataObject;
	/** `$execution.resumeUrl` of this execution. */
	resumeUrl: string;
	/** The workflow instance that ran (needed to resume a waiting run). */
	workflow: Workflow;
	/** Options the run used (reused by resumeWebhook / resumeWaiting). */
	options: RunOptions;
}

export interface RunHandle {
	executionId: string;
	/** Cancel the run (same as aborting `abortSignal`). */
	cancel(): void;
	result: Promise<RunResult>;
}

/** A minimal express-like request for webhook calls. */
export interface FakeRequest {
	method?: IHttpRequestMethods;
	body?: unknown;
	headers?: Record<string, string | string[] | undefined>;
	query?: Record<string, unknown>;
	params?: Record<string, string>;
	/** Raw body bytes; default: JSON.stringify(body). */
	rawBody?: Buffer;
	/** Path suffix of the webhook (the `:suffix` of /webhook-waiting/:id/:suffix). Default ''. */
	path?: string;
}

/** What the fake express response recorded (for nodes that write to `getResponseObject()` directly). */
export interface FakeResponseRecord {
	statusCode: number;
	headers: Record<string, string>;
	body: unknown;
	ended: boolean;
}

export interface WebhookCallResult {
	/** What the node's webhook() returned. */
	response: IWebhookResponseData;
	/** The node's `workflowData` (undefined when the node chose not to start/resume). */
	workflowData?: INodeExecutionData[][];
	/** What the node wrote on the raw response object, if anything. */
	httpResponse: FakeResponseRecord;
	/** The continued run (resume) or the started run (trigger with `execute: true`), if any. */
	run?: RunResult;
}

// ---------------------------------------------------------------------------------------------------------
// Global state: registries, DI services

export const nodeTypes = new NodeTypeRegistry();
export const credentialTypes = new CredentialTypeRegistry();
nodeTypes.register(MANUAL_TRIGGER_TYPE, ManualTrigger);
nodeTypes.register(NO_OP_TYPE, NoOp);
nodeTypes.register(SET_ITEMS_TYPE, SetItems);

let sourceLoad: SourceLoadResult | undefined;
let initPromise: Promise<void> | undefined;
let executionCounter = 0;

/** Loads the package's nodes/credentials from TypeScript source once. Returns what was loaded and what failed. */
export function loadPackage(): SourceLoadResult {
	sourceLoad ??= loadPackageFromSource(nodeTypes, credentialTypes);
	return sourceLoad;
}

/** Initializes the n8n-core services the engine needs (idempotent). */
export async function initHarness(): Promise<void> {
	initPromise ??= (async () => {
		withHarnessEnv(() => {
			// Construct the env-configured singletons now, under the harness env (see env.ts).
			Container.get(InstanceSettings);
			Container.get(BinaryDataConfig);
			// n8n-core's own copy of @n8n/backend-common (a top-level copy would be a different DI token).
			const coreDir = path.dirname(require.resolve('n8n-core/package.json'));
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const backendCommon = require(
				require.resolve('@n8n/backend-common', { paths: [coreDir] }),
			) as {
				Logger: new (...args: never[]) => unknown;
			};
			Container.get(backendCommon.Logger);
		});
		// BinaryDataService in filesystem mode under the harness temp dir.
		await Container.get(BinaryDataService).init();
	})();
	await initPromise;
}

/** The temp directory holding instance settings and binary files. */
export const harnessTmpDir = HARNESS_TMP_DIR;

function register(opts: RunOptions) {
	if (opts.loadPackage !== false) loadPackage();
	for (const [typeName, cls] of Object.entries(opts.nodeTypes ?? {})) {
		nodeTypes.register(typeName, cls);
	}
	for (const cls of opts.credentialTypes ?? []) credentialTypes.register(cls);
}

function assertKnownTypes(nodes: INode[]) {
	for (const node of nodes) {
		if (nodeTypes.has(node.type)) continue;
		const failures = (sourceLoad?.errors ?? [])
			.map(({ file, error }) => `  ${file}: ${error.message.split('\n')[0]}`)
			.join('\n');
		throw new Error(
			`Harness: node "${node.name}" has unknown type "${node.type}". Registered: ${nodeTypes.typeNames().join(', ')}` +
				(failures ? `\nSource files that failed to load:\n${failures}` : ''),
		);
	}
}

// ---------------------------------------------------------------------------------------------------------
// additionalData

function urls(base: string) {
	const b = base.endsWith('/') ? base : `${base}/`;
	return {
		instanceBaseUrl: b,
		restApiUrl: `${b}rest`,
		formBaseUrl: `${b}form`,
		formWaitingBaseUrl: `${b}form-waiting`,
		formTestBaseUrl: `${b}form-test`,
		webhookBaseUrl: `${b}webhook`,
		webhookWaitingBaseUrl: `${b}webhook-waiting`,
		webhookTestBaseUrl: `${b}webhook-test`,
		mcpBaseUrl: `${b}mcp`,
		mcpTestBaseUrl: `${b}mcp-test`,
	};
}

function buildAdditionalData(
	executionId: string,
	workflowId: string,
	credentialsHelper: HarnessCredentialsHelper,
	hooks: ExecutionLifecycleHooks | undefined,
	opts: RunOptions,
): IWorkflowExecuteAdditionalData {
	const notSupported = (what: string) => async () => {
		throw new Error(`Harness: ${what} is not supported`);
	};
	const additionalData = {
		...urls(opts.instanceBaseUrl ?? 'http://localhost:5678/'),
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		userId: 'harness-user',
		variables: {},
		currentNodeExecutionIndex: 0,
		executeWorkflow: notSupported('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: notSupported('startRunnerTask (Code node task runners)'),
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		externalSecretsProxy: {
			hasProvider: () => false,
			getSecret: () => undefined,
			hasSecret: () => false,
			listProviders: () => [],
			listSecrets: () => [],
		},
	};
	return additionalData as unknown as IWorkflowExecuteAdditionalData;
}

// ---------------------------------------------------------------------------------------------------------
// Running

function statusOf(run: IRun): RunStatus {
	if (run.status === 'canceled') return 'canceled';
	if (run.waitTill !== undefined || run.status === 'waiting' || run.data.waitTill) return 'waiting';
	if (run.data.resultData.error !== undefined || run.status === 'error') return 'error';
	return 'success';
}

function plainStaticData(staticData: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(staticData ?? {})) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}

function createWorkflow(json: WorkflowJson, opts: RunOptions, executionId: string): Workflow {
	return new Workflow({
		id: json.id ?? `harness-workflow-${executionId}`,
		name: json.name ?? 'Harness workflow',
		nodes: deepCopy(json.nodes),
		connections: deepCopy(json.connections),
		active: false,
		nodeTypes,
		settings: json.settings ?? { executionOrder: 'v1' },
		pinData: json.pinData,
		staticData: opts.staticData ?? {},
	});
}

/** Runs `runExecutionData` on `workflow` with a fresh WorkflowExecute. Shared by start, resume, trigger. */
function execute(
	workflow: Workflow,
	runExecutionData: IRunExecutionData,
	executionId: string,
	opts: RunOptions,
	extraAdditionalData: Partial<IWorkflowExecuteAdditionalData> = {},
): RunHandle {
	const mode = opts.mode ?? 'manual';
	const credentialsHelper = new HarnessCredentialsHelper(credentialTypes);
	credentialsHelper.setCredentials(opts.credentials ?? {});

	const workflowData = {
		id: workflow.id,
		name: workflow.name,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		active: false,
		settings: workflow.settings,
	} as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const nodeExecutionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		nodeExecutionOrder.push(nodeName);
	});
	let hookRun: IRun | undefined;
	let onHookRun: ((run: IRun) => void) | undefined;
	const hookRunPromise = new Promise<IRun>((resolve) => {
		onHookRun = resolve;
	});
	hooks.addHandler('workflowExecuteAfter', (run) => {
		hookRun ??= run;
		onHookRun?.(run);
	});

	const additionalData = {
		...buildAdditionalData(executionId, workflow.id, credentialsHelper, hooks, opts),
		...extraAdditionalData,
	};
	const workflowExecute = new WorkflowExecute(additionalData, mode, runExecutionData);
	const cancelable = workflowExecute.processRunExecutionData(workflow);

	let cancelRequested = false;
	let timedOut = false;
	const cancel = () => {
		if (cancelRequested) return;
		cancelRequested = true;
		cancelable.cancel();
	};
	const onAbort = () => cancel();
	opts.abortSignal?.addEventListener('abort', onAbort, { once: true });
	if (opts.abortSignal?.aborted) cancel();
	const timer =
		opts.timeoutMs !== undefined
			? setTimeout(() => {
					timedOut = true;
					cancel();
				}, opts.timeoutMs)
			: undefined;

	const enginePromise = (async () => await cancelable)();
	const result = (async (): Promise<RunResult> => {
		let run: IRun;
		let graceTimer: NodeJS.Timeout | undefined;
		try {
			// On cancel, the engine fires workflowExecuteAfter at once (status canceled) but its promise only
			// settles when the running node returns. Prefer the engine's final IRun; fall back to the hook's.
			const hookAfterCancel = hookRunPromise.then(async (r) => {
				if (!cancelRequested) return await new Promise<IRun>(() => {});
				await new Promise((resolve) => {
					graceTimer = setTimeout(resolve, opts.cancelGraceMs ?? 5000);
				});
				return r;
			});
			run = await Promise.race([enginePromise, hookAfterCancel]);
		} finally {
			if (timer) clearTimeout(timer);
			if (graceTimer) clearTimeout(graceTimer);
			opts.abortSignal?.removeEventListener('abort', onAbort);
		}
		if (cancelRequested && run.status !== 'canceled' && statusOf(run) !== 'waiting') {
			run.status = 'canceled';
		}
		const final = makeResult(run, workflow, executionId, opts, nodeExecutionOrder, timedOut);
		if (final.status === 'waiting') parkedRuns.add(workflowExecute);
		opts.executionObserver?.onResult(final);
		return final;
	})();
	void enginePromise.catch(() => {});
	return { executionId, cancel, result };
}

function makeResult(
	run: IRun,
	workflow: Workflow,
	executionId: string,
	opts: RunOptions,
	nodeExecutionOrder: string[],
	timedOut: boolean,
): RunResult {
	const runs = (nodeName: string) => run.data.resultData.runData[nodeName] ?? [];
	const waitTill = run.waitTill ?? run.data.waitTill;
	const resumeBase = `${urls(opts.instanceBaseUrl ?? 'http://localhost:5678/').webhookWaitingBaseUrl}/${executionId}`;
	const resumeUrl = run.data.resumeToken
		? `${resumeBase}?signature=${encodeURIComponent(run.data.resumeToken)}`
		: resumeBase;
	return {
		status: statusOf(run),
		executionId,
		data: run,
		runs,
		outputs(nodeName: string, outputIndex = 0, runIndex?: number) {
			const all = runs(nodeName);
			const task = runIndex === undefined ? all[all.length - 1] : all[runIndex];
			return task?.data?.main?.[outputIndex] ?? [];
		},
		error: run.data.resultData.error,
		waitTill: waitTill ?? undefined,
		timedOut,
		nodeExecutionOrder,
		staticData: plainStaticData(workflow.staticData),
		resumeUrl,
		workflow,
		options: opts,
	};
}

/**
 * What n8n does between "waiting" and "resumed": the execution is saved to the DB and loaded back. A JSON round
 * trip reproduces that (Dates become strings, class instances become plain objects), so a node that keeps
 * non-serializable state in its output or run data fails here as it would in n8n. The waiting RunResult itself
 * stays untouched, so it can be resumed again (interim callbacks, several scenarios).
 */
function reloadExecution(waiting: RunResult): IRunExecutionData {
	return JSON.parse(JSON.stringify(waiting.data.data)) as IRunExecutionData;
}

/** Engines of runs that ended waiting: work a node left running in the process (a watch) listens to their signal. */
const parkedRuns = new Set<WorkflowExecute>();

/**
 * Aborts the cancel signal of every run that ended waiting, as the end of the n8n process would end what
 * a node left running in it (Until Callback's watch). Call it in afterAll of files that park executions.
 */
export function stopWaitingRuns(): void {
	for (const engine of parkedRuns)
		(engine as unknown as { abortController: AbortController }).abortController.abort();
	parkedRuns.clear();
}

/** Starts a run and returns at once with a handle (`cancel()`, `result`). */
export async function startWorkflow(
	workflowJson: WorkflowJson,
	opts: RunOptions = {},
): Promise<RunHandle> {
	await initHarness();
	register(opts);
	assertKnownTypes(workflowJson.nodes);
	const executionId = opts.executionId ?? String(++executionCounter);
	const workflow = createWorkflow(workflowJson, opts, executionId);
	const startNode = opts.startNode ? workflow.getNode(opts.startNode) : workflow.getStartNode();
	if (!startNode) throw new Error('Harness: could not determine the start node');
	const runExecutionData = createRunExecutionData({
		resultData: { pinData: workflowJson.pinData },
		executionData: {
			nodeExecutionStack: [
				{ node: startNode, data: { main: [opts.startItems ?? [{ json: {} }]] }, source: null },
			],
		},
	});
	opts.executionObserver?.onStart(executionId);
	return execute(workflow, runExecutionData, executionId, opts);
}

/** Runs a workflow to its end (success, error, waiting or canceled). */
export async function runWorkflow(
	workflowJson: WorkflowJson,
	opts: RunOptions = {},
): Promise<RunResult> {
	const handle = await startWorkflow(workflowJson, opts);
	return await handle.result;
}

/**
 * Resumes a waiting run without a webhook, the way n8n's WaitTracker does when `waitTill` passes:
 * the waiting node is disabled and passes its original input through, then downstream nodes run.
 */
export async function resumeWaiting(
	waiting: RunResult,
	opts: Partial<RunOptions> = {},
): Promise<RunResult> {
	if (waiting.status !== 'waiting')
		throw new Error(`Harness: run ${waiting.executionId} is ${waiting.status}, not waiting`);
	const merged = { ...waiting.options, ...opts };
	merged.executionObserver?.onStart(waiting.executionId);
	return await execute(waiting.workflow, reloadExecution(waiting), waiting.executionId, merged, {
		restartExecutionId: waiting.executionId,
	}).result;
}

// ---------------------------------------------------------------------------------------------------------
// Webhooks

function fakeRequest(req: FakeRequest) {
	const body = req.body ?? {};
	const rawBody =
		req.rawBody ?? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
	const headers: Record<string, string | string[] | undefined> = {};
	for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
	headers['content-type'] ??= 'application/json';
	return {
		method: req.method ?? 'POST',
		body,
		rawBody,
		headers,
		query: req.query ?? {},
		params: req.params ?? {},
		path: `/${req.path ?? ''}`,
		url: `/${req.path ?? ''}`,
		get(name: string) {
			return headers[name.toLowerCase()];
		},
		header(name: string) {
			return headers[name.toLowerCase()];
		},
	};
}

function fakeResponse(): { res: Record<string, unknown>; record: FakeResponseRecord } {
	const record: FakeResponseRecord = {
		statusCode: 200,
		headers: {},
		body: undefined,
		ended: false,
	};
	const res: Record<string, unknown> = {
		headersSent: false,
		status(code: number) {
			record.statusCode = code;
			return res;
		},
		setHeader(name: string, value: string) {
			record.headers[name.toLowerCase()] = value;
			return res;
		},
		header(name: string, value: string) {
			record.headers[name.toLowerCase()] = value;
			return res;
		},
		set(name: string, value: string) {
			record.headers[name.toLowerCase()] = value;
			return res;
		},
		json(body: unknown) {
			record.body = body;
			record.ended = true;
			res.headersSent = true;
			return res;
		},
		send(body: unknown) {
			record.body = body;
			record.ended = true;
			res.headersSent = true;
			return res;
		},
		end(body?: unknown) {
			if (body !== undefined) record.body = body;
			record.ended = true;
			res.headersSent = true;
			return res;
		},
		on() {
			return res;
		},
		once() {
			return res;
		},
		write() {
			return true;
		},
		flushHeaders() {},
	};
	return { res, record };
}

function resolveWebhookValue(
	workflow: Workflow,
	node: INode,
	value: unknown,
	mode: WorkflowExecuteMode,
) {
	if (typeof value !== 'string' || !isExpression(value)) return value;
	return workflow.expression.getSimpleParameterValue(node, value, mode, {}, undefined, undefined);
}

function findWebhook(
	workflow: Workflow,
	node: INode,
	method: string,
	path: string,
	mode: WorkflowExecuteMode,
	restart: boolean,
): IWebhookDescription {
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const candidates = (nodeType.description.webhooks ?? []).filter(
		(w) => (w.restartWebhook === true) === restart,
	);
	const match = candidates.find(
		(w) =>
			String(resolveWebhookValue(workflow, node, w.httpMethod, mode)).toUpperCase() ===
				method.toUpperCase() &&
			String(resolveWebhookValue(workflow, node, w.path, mode) ?? '').replace(/^\//, '') ===
				path.replace(/^\//, ''),
	);
	if (!match) {
		throw new Error(
			`Harness: node "${node.name}" (${node.type}) has no ${restart ? 'restart ' : ''}webhook for ${method} "${path}"`,
		);
	}
	return match;
}

async function callWebhook(
	workflow: Workflow,
	node: INode,
	request: FakeRequest,
	opts: RunOptions,
	executionId: string,
	runExecutionData: IRunExecutionData | null,
	restart: boolean,
) {
	const mode = opts.mode ?? 'manual';
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (typeof nodeType.webhook !== 'function') {
		throw new Error(`Harness: node "${node.name}" (${node.type}) has no webhook() method`);
	}
	const method = request.method ?? 'POST';
	const webhookDescription = findWebhook(workflow, node, method, request.path ?? '', mode, restart);
	const credentialsHelper = new HarnessCredentialsHelper(credentialTypes);
	credentialsHelper.setCredentials(opts.credentials ?? {});
	const { res, record } = fakeResponse();
	const additionalData = buildAdditionalData(
		executionId,
		workflow.id,
		credentialsHelper,
		undefined,
		opts,
	);
	additionalData.httpRequest = fakeRequest(
		request,
	) as unknown as IWorkflowExecuteAdditionalData['httpRequest'];
	additionalData.httpResponse = res as unknown as IWorkflowExecuteAdditionalData['httpResponse'];
	const webhookData: IWebhookData = {
		httpMethod: method,
		node: node.name,
		path: request.path ?? '',
		webhookDescription,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: mode === 'manual',
	};
	const context = new WebhookContext(
		workflow,
		node,
		additionalData,
		mode,
		webhookData,
		[],
		runExecutionData,
	);
	const response = isNodeClassInstance(nodeType)
		? await nodeType.webhook!(context)
		: await nodeType.webhook.call(context);
	return { response, record };
}

/**
 * Calls the `webhook()` of the node a waiting run waits in (its restart webhook matching method + path), with a
 * real WebhookContext whose run data is the waiting execution's. If it returns `workflowData`, the execution
 * resumes exactly like n8n's waiting-webhooks: the waiting node is disabled, its output becomes `workflowData`,
 * downstream nodes run, and `run` holds the result. Otherwise the run stays waiting (call again).
 */
export async function resumeWebhook(
	waiting: RunResult,
	request: FakeRequest = {},
	opts: Partial<RunOptions> = {},
): Promise<WebhookCallResult> {
	const { result, continuation } = await startResumeWebhook(waiting, request, opts);
	if (continuation) result.run = await continuation;
	return result;
}

/**
 * First half of resumeWebhook: calls webhook() and, if it returned workflowData, starts the continued run
 * without awaiting it (what n8n does: the HTTP answer goes out, the execution goes on). Used by the waiting
 * webhook server.
 */
export async function startResumeWebhook(
	waiting: RunResult,
	request: FakeRequest = {},
	opts: Partial<RunOptions> = {},
): Promise<{ result: WebhookCallResult; continuation?: Promise<RunResult> }> {
	if (waiting.status !== 'waiting')
		throw new Error(`Harness: run ${waiting.executionId} is ${waiting.status}, not waiting`);
	const merged = { ...waiting.options, ...opts };
	const runExecutionData = reloadExecution(waiting);
	const lastNode = runExecutionData.resultData.lastNodeExecuted;
	const node = lastNode ? waiting.workflow.getNode(lastNode) : null;
	if (!node) throw new Error('Harness: cannot find the waiting node');
	const { response, record } = await callWebhook(
		waiting.workflow,
		node,
		request,
		merged,
		waiting.executionId,
		runExecutionData,
		true,
	);
	const result: WebhookCallResult = {
		response,
		workflowData: response.workflowData,
		httpResponse: record,
	};
	if (!response.workflowData) return { result };
	const stack = runExecutionData.executionData!.nodeExecutionStack;
	stack[0].data.main = response.workflowData;
	merged.executionObserver?.onStart(waiting.executionId);
	const continuation = execute(waiting.workflow, runExecutionData, waiting.executionId, merged, {
		restartExecutionId: waiting.executionId,
	}).result;
	return { result, continuation };
}

/**
 * Calls a trigger node's `webhook()` (its non-restart webhook matching method + path) with a real WebhookContext.
 * With `execute: true` and a `workflowData` answer, the workflow then runs from the trigger with that data, as
 * n8n does for a production/test webhook call.
 */
export async function runTriggerWebhook(
	workflowJson: WorkflowJson,
	nodeName: string,
	request: FakeRequest = {},
	opts: RunOptions & { execute?: boolean } = {},
): Promise<WebhookCallResult> {
	await initHarness();
	register(opts);
	assertKnownTypes(workflowJson.nodes);
	const executionId = opts.executionId ?? String(++executionCounter);
	const workflow = createWorkflow(workflowJson, opts, executionId);
	const node = workflow.getNode(nodeName);
	if (!node) throw new Error(`Harness: no node "${nodeName}"`);
	const { response, record } = await callWebhook(
		workflow,
		node,
		request,
		opts,
		executionId,
		null,
		false,
	);
	const result: WebhookCallResult = {
		response,
		workflowData: response.workflowData,
		httpResponse: record,
	};
	if (opts.execute && response.workflowData) {
		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node, data: { main: response.workflowData }, source: null }],
			},
		});
		result.run = await execute(workflow, runExecutionData, executionId, opts).result;
	}
	return result;
}

/**
 * Runs one of a trigger's webhook lifecycle methods (`webhookMethods[webhookName].checkExists|create|delete`)
 * with a real HookContext, as n8n does when a workflow is activated/deactivated (or a test webhook registered).
 * `getNodeWebhookUrl('default')` then yields `<instanceBaseUrl>webhook[-test]/<webhookId>/<path>`; static data
 * written by the method lands in `opts.staticData` (pass the same object to runTriggerWebhook later).
 */
export async function runWebhookMethod(
	workflowJson: WorkflowJson,
	nodeName: string,
	method: 'checkExists' | 'create' | 'delete',
	opts: RunOptions & { webhookName?: WebhookType; activation?: WorkflowActivateMode } = {},
): Promise<{ result: boolean | undefined; staticData: IDataObject; webhookUrl?: string }> {
	await initHarness();
	register(opts);
	assertKnownTypes(workflowJson.nodes);
	const mode = opts.mode ?? 'manual';
	const executionId = opts.executionId ?? String(++executionCounter);
	const workflow = createWorkflow(workflowJson, opts, executionId);
	const node = workflow.getNode(nodeName);
	if (!node) throw new Error(`Harness: no node "${nodeName}"`);
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const webhookName = (opts.webhookName ?? 'default') as WebhookType;
	const fn = nodeType.webhookMethods?.[webhookName as 'default']?.[method];
	if (typeof fn !== 'function') {
		throw new Error(`Harness: node "${nodeName}" has no webhookMethods.${webhookName}.${method}`);
	}
	const description = (nodeType.description.webhooks ?? []).find(
		(w) => w.name === webhookName && w.restartWebhook !== true,
	);
	if (!description) throw new Error(`Harness: node "${nodeName}" has no "${webhookName}" webhook`);
	const credentialsHelper = new HarnessCredentialsHelper(credentialTypes);
	credentialsHelper.setCredentials(opts.credentials ?? {});
	const additionalData = buildAdditionalData(
		executionId,
		workflow.id,
		credentialsHelper,
		undefined,
		opts,
	);
	const webhookData: IWebhookData = {
		httpMethod: String(
			resolveWebhookValue(workflow, node, description.httpMethod, mode),
		) as IHttpRequestMethods,
		node: node.name,
		path: String(resolveWebhookValue(workflow, node, description.path, mode) ?? ''),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
		isTest: mode === 'manual',
	};
	const activation = opts.activation ?? (mode === 'manual' ? 'manual' : 'activate');
	const context = new HookContext(workflow, node, additionalData, mode, activation, webhookData);
	const result = await fn.call(context);
	return {
		result,
		staticData: plainStaticData(workflow.staticData),
		webhookUrl: context.getNodeWebhookUrl(webhookName),
	};
}

// ---------------------------------------------------------------------------------------------------------
// Credential tests

/**
 * Runs a credential type's `test.request` for real, mirroring n8n's CredentialsTester: a temporary declarative
 * node whose only property routes `test.request` is executed through RoutingNode, so `baseURL`/`url`
 * expressions resolve against `$credentials`, the type's `authenticate` is applied, and a 2xx means OK.
 * `test.rules` (responseCode, responseSuccessBody) are honoured.
 */
export async function testCredential(
	typeName: string,
	data: ICredentialDataDecryptedObject,
	opts: Pick<RunOptions, 'credentialTypes' | 'loadPackage' | 'instanceBaseUrl'> = {},
): Promise<INodeCredentialTestResult> {
	await initHarness();
	register(opts);
	const credentialType = credentialTypes.getByName(typeName);
	const testRequest = credentialType.test;
	if (!testRequest)
		return { status: 'Error', message: 'No testing function found for this credential.' };

	const credentialsHelper = new HarnessCredentialsHelper(credentialTypes);
	const fullData = credentialsHelper.withDefaults(typeName, data);
	credentialsHelper.setCredentials({ [typeName]: fullData });
	const credentialsDecrypted: ICredentialsDecrypted = {
		id: 'harness-credential',
		name: `${typeName} (harness)`,
		type: typeName,
		data: fullData,
	};

	const tempTypeName = 'harness.credentialTest';
	const tempNodeType: INodeType = {
		description: {
			displayName: 'Credential test',
			name: tempTypeName,
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp-Node' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	const tempNodeTypes = new NodeTypeRegistry();
	tempNodeTypes.register(tempTypeName, tempNodeType);
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: tempTypeName,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [typeName]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: tempNodeTypes,
	});
	const additionalData = buildAdditionalData(
		'credential-test',
		workflow.id,
		credentialsHelper,
		undefined,
		opts,
	);
	const runExecutionData = createRunExecutionData({ executionData: null });
	const executeData: IExecuteData = { node, data: {}, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		executeData,
		[],
	);
	const routingNode = new RoutingNode(context, tempNodeType, credentialsDecrypted);
	let response: INodeExecutionData[][] | null | undefined;
	try {
		await workflow.expression.acquireIsolate();
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (
			error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }
		).cause;
		if (cause?.response) {
			const statusCode = cause.response.status;
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === statusCode) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return {
					status: 'Error',
					message: cause.response.statusText || `Received HTTP status code: ${statusCode}`,
				};
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: String((error as Error).message) };
	} finally {
		await workflow.expression.releaseIsolate();
	}
	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody') {
			const json = response?.[0]?.[0]?.json ?? {};
			const value = rule.properties.key
				.split('.')
				.reduce<unknown>((acc, key) => (acc as IDataObject | undefined)?.[key], json);
			if (value === rule.properties.value)
				return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

// ---------------------------------------------------------------------------------------------------------
// Binary helpers

/** Reads an output item's binary property back as a Buffer (from the BinaryDataService store or inline base64). */
export async function readBinary(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	await initHarness();
	const binary: IBinaryData | undefined = item.binary?.[property];
	if (!binary) throw new Error(`Harness: item has no binary property "${property}"`);
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** Opens an output item's binary property as a stream. */
export async function readBinaryStream(
	item: INodeExecutionData,
	property = 'data',
): Promise<Readable> {
	await initHarness();
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`Harness: item has no binary property "${property}"`);
	if (!binary.id) {
		const { Readable: ReadableCtor } = await import('node:stream');
		return ReadableCtor.from(Buffer.from(binary.data, 'base64'));
	}
	return await Container.get(BinaryDataService).getAsStream(binary.id);
}
