/** Tiny helpers to write workflow JSON in tests without positions/ids boilerplate. */
import type { IConnections, INode, INodeParameters } from 'n8n-workflow';

import type { WorkflowJson } from './engine';

let counter = 0;

/** A workflow node. `extra` can set credentials, onError, continueOnFail, disabled, webhookId... */
export function node(
	name: string,
	type: string,
	parameters: INodeParameters = {},
	extra: Partial<INode> = {},
): INode {
	counter++;
	return {
		id: `node-${counter}`,
		name,
		type,
		typeVersion: 1,
		position: [counter * 200, 0],
		parameters,
		...extra,
	};
}

/**
 * A linear workflow: each node's output 0 feeds the next node's input 0.
 * `extraConnections` adds more, e.g. `{ Probe: { main: [[...], [{ node: 'Errors', type: 'main', index: 0 }]] } }`.
 */
export function chain(nodes: INode[], extraConnections: IConnections = {}): WorkflowJson {
	const connections: IConnections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	for (const [source, value] of Object.entries(extraConnections)) connections[source] = value;
	return { nodes, connections };
}
