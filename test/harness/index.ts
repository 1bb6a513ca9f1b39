/**
 * Act-Two workflow test harness: runs workflows inside n8n-core's real WorkflowExecute (n8n-core 2.39.8,
 * n8n-workflow 2.39.3 = what n8n 2.39.10 ships), in the spirit of n8n's NodeTestHarness: workflow JSON in,
 * outputs asserted. Node/credential classes are loaded from TypeScript source (nodes/**\/*.node.ts as
 * `n8n-nodes-act-two.<name>`, credentials/*.credentials.ts by `name`) on first use.
 *
 * ```ts
 * import { chain, node, MANUAL_TRIGGER_TYPE, SET_ITEMS_TYPE, setItemsParameters, runWorkflow, readBinary,
 *   resumeWebhook } from '../../harness';
 *
 * const wf = chain([
 *   node('Start', MANUAL_TRIGGER_TYPE),
 *   node('Items', SET_ITEMS_TYPE, setItemsParameters([{ json: { prompt: 'x' },
 *     binary: { data: { base64: '...', mimeType: 'video/mp4', fileName: 'in.mp4' } } }])),
 *   node('Act-Two', 'n8n-nodes-act-two.actTwo', { ...params }, {
 *     credentials: { runwayApi: { id: '1', name: 'Runway' } }, onError: 'continueErrorOutput' }),
 * ]);
 * const run = await runWorkflow(wf, { credentials: { runwayApi: { apiKey: 'k', baseUrl: sim.url } }, timeoutMs: 30_000 });
 * expect(run.status).toBe('success');                  // | 'error' | 'waiting' | 'canceled'
 * const [item] = run.outputs('Act-Two');               // output 0 of the node's last run; outputs(name, 1) = error output
 * const video = await readBinary(item, 'data');        // Buffer from the BinaryDataService
 * // wait-until-callback: run.status === 'waiting', run.waitTill, run.resumeUrl (= $execution.resumeUrl)
 * const { response, run: resumed } = await resumeWebhook(waitingRun, { body: callbackJson, headers: {...} });
 * ```
 *
 * Cancel: `opts.abortSignal`, `opts.timeoutMs`, or `startWorkflow()` → `handle.cancel()`; the node sees
 * `this.getExecutionCancelSignal()` abort (use `sleep(ms, signal)` from n8n-workflow).
 * Static data: pass the same `opts.staticData` object to several calls to persist it.
 */
export {
	credentialTypes,
	harnessTmpDir,
	initHarness,
	loadPackage,
	nodeTypes,
	readBinary,
	readBinaryStream,
	resumeWaiting,
	stopWaitingRuns,
	resumeWebhook,
	runTriggerWebhook,
	runWebhookMethod,
	runWorkflow,
	startResumeWebhook,
	startWorkflow,
	testCredential,
} from './engine';
export type {
	ExecutionObserver,
	FakeRequest,
	FakeResponseRecord,
	RunHandle,
	RunOptions,
	RunResult,
	RunStatus,
	WebhookCallResult,
	WorkflowJson,
} from './engine';
export {
	MANUAL_TRIGGER_TYPE,
	NO_OP_TYPE,
	SET_ITEMS_TYPE,
	setItemsParameters,
	type SetItemSpec,
} from './core-nodes';
export {
	AGENT_TYPE,
	agentNode,
	agentWorkflow,
	asAiTool,
	StandInAgent,
	TOOL_CALL_ID,
	toolTypeName,
	type AgentToolCall,
	type ToolCallPath,
} from './agent';
export { HarnessCredentialsHelper } from './credentials-helper';
export {
	CredentialTypeRegistry,
	NodeTypeRegistry,
	PACKAGE_NAME,
	loadPackageFromSource,
} from './registry';
export { chain, node } from './workflow-builder';
export {
	startWaitingWebhookServer,
	type WaitingWebhookRequestLog,
	type WaitingWebhookServer,
} from './webhook-server';
