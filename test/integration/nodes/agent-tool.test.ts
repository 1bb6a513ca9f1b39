/**
 * The Act-Two Tool called by an AI agent, both ways n8n's agents call tools: an engine request (the tool runs
 * as a regular node whose output is rewired to the agent) and a sub-node call (`tool.invoke`). The agent gets
 * the video URL, never binary data; "Until Callback" and provider failures come back as error messages.
 */
import type { INodeParameters } from 'n8n-workflow';

import { ActTwo } from '../../../nodes/ActTwo/ActTwo.node';
import {
	AGENT_TYPE,
	agentNode,
	agentWorkflow,
	asAiTool,
	runWorkflow,
	StandInAgent,
	TOOL_CALL_ID,
	toolTypeName,
	node,
	type AgentToolCall,
	type RunResult,
	type ToolCallPath,
} from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	ACT_TWO,
	createRequests,
	credentials,
	errorText,
	nodeCredentials,
	PROVIDERS,
	QUICK_POLL,
	urlInputs,
	withSim,
} from './helpers';

jest.setTimeout(30_000);

// Every test has its own simulator and runs concurrently with the others: most of the time is waiting.
const it = test.concurrent;

const ACT_TWO_TOOL = toolTypeName(ACT_TWO);
const PATHS: ToolCallPath[] = ['engineRequest', 'subNode'];

/** Create as the tool, the driving video URL coming from the model ($fromAI), the rest fixed. */
const toolParameters = (sim: Simulator, extra: INodeParameters = {}) =>
	urlInputs(sim, {
		drivingUrl: "={{ $fromAI('drivingUrl', 'URL of the driving performance video') }}",
		waitForCompletion: 'poll',
		output: 'binary',
		options: QUICK_POLL,
		...extra,
	});

/** Runs Start → Agent with the Act-Two Tool attached; returns what the agent saw of its one tool call. */
async function callTool(
	sim: Simulator,
	provider: SimProvider,
	path: ToolCallPath,
	extra: INodeParameters = {},
): Promise<{ call: AgentToolCall; result: RunResult }> {
	const tool = node(
		'Act-Two',
		ACT_TWO_TOOL,
		{ provider, ...toolParameters(sim, extra) },
		{ credentials: nodeCredentials(provider) },
	);
	const agent = agentNode(path, { drivingUrl: sim.staticUrl('driving.mp4') });
	const result = await runWorkflow(agentWorkflow(agent, [tool]), {
		credentials: credentials(sim),
		nodeTypes: { [AGENT_TYPE]: StandInAgent, [ACT_TWO_TOOL]: asAiTool(ActTwo) },
	});
	expect(errorText(result)).toBe('');
	expect(result.status).toBe('success');
	const out = result.outputs('Agent');
	expect(out).toHaveLength(1);
	const call = out[0].json as AgentToolCall;
	// The engine-request answer came back through the engine: the EngineResponse named the agent's action.
	expect(call.toolCallId).toBe(path === 'engineRequest' ? TOOL_CALL_ID : null);
	return { call, result };
}

/**
 * The "Video URL Only" item: what the node outputs when an agent runs it, whatever Output says; plus
 * `estimatedCreditsNote` when `estimatedCredits` is null (checked below).
 */
const URL_ONLY_KEYS = [
	'capacityWaitMs',
	'cost',
	'error',
	'estimatedCredits',
	'model',
	'provider',
	'status',
	'taskId',
	'timedOut',
	'videoUrl',
];

describe.each(PROVIDERS)(
	'%s: Create as an agent tool, output "Task and Video File"',
	(provider) => {
		it.each(PATHS)('%s → the agent gets the video URL, no binary data, one render', (path) =>
			withSim(async (sim) => {
				const { call } = await callTool(sim, provider, path);
				expect(call).toMatchObject({ path, tool: 'Act-Two', error: null, binary: [] });
				expect(call.response).toHaveLength(1);
				const [answer] = call.response;
				const keys = Object.keys(answer).filter((k) => k !== 'estimatedCreditsNote');
				expect(keys.sort()).toEqual(URL_ONLY_KEYS);
				expect('estimatedCreditsNote' in answer).toBe(answer.estimatedCredits === null);
				expect(answer).toMatchObject({
					provider,
					status: 'succeeded',
					videoUrl: expect.stringMatching(new RegExp(`^${sim.url}/files/.+\\.mp4`)),
				});
				expect(sim.tasks()).toHaveLength(1);
				expect(answer.taskId).toBe(sim.tasks()[0].id);
				expect(createRequests(sim, provider)).toHaveLength(1);
			}),
		);
	},
);

describe('refusals and failures reach the agent as error messages (useapi)', () => {
	it.each(PATHS)('%s: "Until Callback" → refused before anything is sent', (path) =>
		withSim(async (sim) => {
			const { call } = await callTool(sim, 'useapi', path, { waitForCompletion: 'callback' });
			expect(call.error).toMatch(/"Until Callback" cannot be used when an AI agent runs this node/);
			expect(sim.requests()).toEqual([]);
			expect(sim.tasks()).toEqual([]);
		}),
	);

	it.each(PATHS)('%s: moderation → the provider reason, the run goes on', (path) =>
		withSim(async (sim) => {
			sim.outcomes.next('useapi', 'moderation');
			const { call, result } = await callTool(sim, 'useapi', path);
			expect(call.error).toMatch(/^useapi\.net: Your input did not pass our content moderation/);
			if (path === 'engineRequest') {
				// n8n hands the agent the error as the tool's answer item.
				expect(call.response).toEqual([{ error: call.error }]);
			}
			expect(sim.tasks().map((t) => t.phase)).toEqual(['failed']);
			expect(result.nodeExecutionOrder.at(-1)).toBe('Agent');
		}),
	);
});
