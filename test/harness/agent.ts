/**
 * An AI agent without a model, for running a node as an agent's tool inside the harness.
 *
 * - `asAiTool(node)`: the `<name>Tool` node type n8n derives from a `usableAsTool` node (n8n's
 *   `NodeTypes.getByNameAndVersion` + `convertNodeToAiTool`, tool-generation/ai-tools.js in n8n 2.39): same
 *   `execute`, description renamed `<name>Tool`, no inputs, one `ai_tool` output, a Tool Description property.
 * - `StandInAgent` (`harness.agent`): finds its tools with `getInputConnectionData('ai_tool')` (n8n-core's
 *   `createNodeAsTool`), calls the first one once with the `toolArgs` parameter and outputs what came back, one
 *   item per call. Two ways to call, as n8n's agents do:
 *   - `engineRequest` (Tools Agent V3, n8n 2.x): `execute` returns an EngineRequest; WorkflowExecute runs the tool
 *     node as a regular node with `rewireOutputLogTo = 'ai_tool'` and calls `execute` again with an
 *     EngineResponse. The agent reads the tool's `ai_tool` output as n8n's `buildSteps` does.
 *   - `subNode`: `tool.invoke(args)`, which runs the node's `execute` in a SupplyDataContext
 *     (`makeHandleToolInvocation`, `isToolExecution()` true) and answers a JSON string.
 *
 * What the agent outputs (`AgentToolCall`): the tool's answer items (json), the binary property names they
 * carried (an agent cannot use binary data), and the error message when the call failed.
 */
import type {
	EngineRequest,
	EngineResponse,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { WorkflowJson } from './engine';
import { MANUAL_TRIGGER_TYPE } from './core-nodes';
import { chain, node } from './workflow-builder';
import type { NodeClass } from './registry';

export const AGENT_TYPE = 'harness.agent';

/** The id of the stand-in agent's engine-request tool call. */
export const TOOL_CALL_ID = 'call_1';

export type ToolCallPath = 'engineRequest' | 'subNode';

/** One tool call as the agent saw it (the agent's output item json). */
export interface AgentToolCall extends IDataObject {
	path: ToolCallPath;
	/** The tool's name (`nodeNameToToolName` of the tool node). */
	tool: string;
	/** engineRequest: the id of the action the EngineResponse answered. */
	toolCallId: string | null;
	/** The tool's answer items (json only). */
	response: IDataObject[];
	/** Binary property names found on the answer items. */
	binary: string[];
	/** The error message when the tool failed. */
	error: string | null;
}

/** What `getInputConnectionData('ai_tool')` yields for a node tool (a LangChain DynamicStructuredTool). */
interface ConnectedTool {
	name: string;
	metadata?: { sourceNodeName?: string };
	invoke(args: IDataObject): Promise<unknown>;
}

/** The `<type>Tool` type name n8n gives the tool version of a node type. */
export const toolTypeName = (typeName: string) => `${typeName}Tool`;

/** The tool node type n8n derives from a `usableAsTool` node (see the file comment). */
export function asAiTool(nodeClassOrInstance: NodeClass | INodeType): INodeType {
	const base =
		typeof nodeClassOrInstance === 'function' ? new nodeClassOrInstance() : nodeClassOrInstance;
	if ('nodeVersions' in base) throw new Error('Harness: asAiTool takes an unversioned node');
	const nodeType = base as INodeType;
	if (!nodeType.description.usableAsTool) {
		throw new Error(`Harness: node "${nodeType.description.name}" is not usableAsTool`);
	}
	const properties = [...nodeType.description.properties];
	const description: INodeTypeDescription = {
		...nodeType.description,
		name: `${nodeType.description.name}Tool`,
		displayName: `${nodeType.description.displayName} Tool`,
		inputs: [],
		outputs: [NodeConnectionTypes.AiTool],
		properties,
	};
	delete description.usableAsTool;
	if (!properties.some((p) => p.name === 'toolDescription')) {
		const descProp: INodeProperties = {
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: nodeType.description.description,
			required: true,
			typeOptions: { rows: 2 },
			description: 'Explain to the LLM what this tool does',
		};
		const lastCallout = properties.map((p) => p.type).lastIndexOf('callout');
		properties.splice(lastCallout + 1, 0, descProp);
		if (properties.some((p) => p.name === 'resource' || p.name === 'operation')) {
			properties.splice(lastCallout + 1, 0, {
				displayName: 'Tool Description',
				name: 'descriptionType',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Set Automatically', value: 'auto' },
					{ name: 'Set Manually', value: 'manual' },
				],
				default: 'auto',
			});
			descProp.displayOptions = { show: { descriptionType: ['manual'] } };
		}
	}
	return Object.create(nodeType, { description: { value: description } }) as INodeType;
}

const binaryNames = (items: INodeExecutionData[]) =>
	items.flatMap((item) => Object.keys(item.binary ?? {}));

// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- harness stand-in for an AI agent
export class StandInAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Agent (harness)',
		name: 'agent',
		group: ['transform'],
		version: 1,
		description: 'Calls its first tool once with fixed arguments and outputs the answer',
		defaults: { name: 'Agent' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tool', required: true },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Call Path',
				name: 'path',
				type: 'options',
				options: [
					{ name: 'Engine Request', value: 'engineRequest' },
					{ name: 'Sub-Node', value: 'subNode' },
				],
				default: 'engineRequest',
			},
			{
				displayName: 'Tool Arguments',
				name: 'toolArgs',
				type: 'json',
				default: '{}',
				description: 'What the model would pass to the tool',
			},
		],
	};

	async execute(
		this: IExecuteFunctions,
		response?: EngineResponse<{ itemIndex: number; toolName: string }>,
	): Promise<INodeExecutionData[][] | EngineRequest> {
		const path = this.getNodeParameter('path', 0) as ToolCallPath;
		const rawArgs = this.getNodeParameter('toolArgs', 0, '{}') as unknown;
		const args = (typeof rawArgs === 'string' ? JSON.parse(rawArgs) : rawArgs) as IDataObject;
		const tools = (await this.getInputConnectionData(
			NodeConnectionTypes.AiTool,
			0,
		)) as ConnectedTool[];
		const tool = tools[0];
		if (!tool) throw new NodeOperationError(this.getNode(), 'No tool connected');

		if (path === 'subNode') {
			const call: AgentToolCall = {
				path,
				tool: tool.name,
				toolCallId: null,
				response: [],
				binary: [],
				error: null,
			};
			try {
				call.response = JSON.parse(String(await tool.invoke(args))) as IDataObject[];
			} catch (error) {
				call.error = (error as Error).message;
			}
			return [[{ json: call }]];
		}

		if (!response?.actionResponses.length) {
			return {
				actions: [
					{
						actionType: 'ExecutionNodeAction',
						nodeName: tool.metadata?.sourceNodeName ?? '',
						input: args,
						type: NodeConnectionTypes.AiTool,
						id: TOOL_CALL_ID,
						metadata: { itemIndex: 0, toolName: tool.name },
					},
				],
				metadata: { itemIndex: 0, toolName: tool.name },
			};
		}
		// What n8n's buildSteps reads: the tool run's ai_tool output, else its error.
		return [
			response.actionResponses.map(({ action, data }) => {
				const items = data.data?.[NodeConnectionTypes.AiTool]?.[0] ?? [];
				const call: AgentToolCall = {
					path,
					tool: action.metadata.toolName,
					toolCallId: action.id,
					response: items.map((item) => item.json),
					binary: binaryNames(items),
					error: data.error?.message ?? null,
				};
				return { json: call };
			}),
		];
	}
}

/** The stand-in agent node: calls its first tool once, the given way, with `toolArgs`. */
export function agentNode(path: ToolCallPath, toolArgs: IDataObject = {}, name = 'Agent'): INode {
	return node(name, AGENT_TYPE, { path, toolArgs: JSON.stringify(toolArgs) });
}

/** Manual Trigger → `agent`, with `tools` connected to the agent's `ai_tool` input. */
export function agentWorkflow(agent: INode, tools: INode[]): WorkflowJson {
	const wf = chain([node('Start', MANUAL_TRIGGER_TYPE), agent]);
	for (const tool of tools) {
		wf.nodes.push(tool);
		wf.connections[tool.name] = {
			[NodeConnectionTypes.AiTool]: [
				[{ node: agent.name, type: NodeConnectionTypes.AiTool, index: 0 }],
			],
		};
	}
	return wf;
}
