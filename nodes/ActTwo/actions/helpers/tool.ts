import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Whether an AI agent runs this node as a tool. Older agents call it through a sub-node context
 * (`isToolExecution`); agents that send engine requests have n8n run it as a regular node whose output
 * is rewired to the agent, and there `isToolExecution` is false.
 */
export function runsAsAgentTool(ctx: IExecuteFunctions): boolean {
	return (
		ctx.isToolExecution?.() === true ||
		ctx.getNode().rewireOutputLogTo === NodeConnectionTypes.AiTool
	);
}
