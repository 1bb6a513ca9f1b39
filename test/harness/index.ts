/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Act-Two workflow test harness: runs workflows inside n8n-core's real WorkflowExecute.
 * See engine.ts for the API and README-style notes.
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
	resumeWebhook,
	runTriggerWebhook,
	runWebhookMethod,
	runWorkflow,
	startWorkflow,
	testCredential,
} from './engine';
export type {
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
export { HarnessCredentialsHelper } from './credentials-helper';
export { CredentialTypeRegistry, NodeTypeRegistry, PACKAGE_NAME, loadPackageFromSource } from './registry';
export { chain, node } from './workflow-builder';
