/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/** The real-n8n infrastructure itself: owner + API key, import, publish, production webhook, execution read-back, CLI execute. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { nodeOutput, type WorkflowJson } from '../n8n/instance';
import { loadE2e, uniqueWebhookPath, type E2eContext } from './context';

const workflow = (name: string) =>
	JSON.parse(readFileSync(join(__dirname, '..', 'n8n', 'workflows', name), 'utf8')) as WorkflowJson;

let ctx: E2eContext;
beforeAll(async () => {
	ctx = await loadE2e();
});

describe('real n8n (shared instance)', () => {
	it('is up, with the owner bootstrapped from env and a working API key', async () => {
		const health = await fetch(`${ctx.n8n.baseUrl}/healthz/readiness`);
		expect(health.status).toBe(200);
		const me = await ctx.n8n.rest<{ email: string; role: string }>('GET', '/login');
		expect(me.body.email).toBe(ctx.n8n.owner.email);
		const wfs = await ctx.n8n.api<{ data: unknown[] }>('GET', '/workflows');
		expect(Array.isArray(wfs.body.data)).toBe(true);
		const noKey = await fetch(`${ctx.n8n.baseUrl}/api/v1/workflows`);
		expect(noKey.status).toBe(401);
	});

	it('imports, publishes and runs a core-nodes webhook workflow, and reads its execution back', async () => {
		const wf = workflow('smoke-webhook.json');
		const path = uniqueWebhookPath('smoke');
		const hook = wf.nodes.find((n) => n.name === 'Webhook')!;
		hook.parameters.path = path;
		hook.webhookId = randomUUID();
		const id = await ctx.n8n.importWorkflow(wf);
		await ctx.n8n.publish(id);

		const res = await ctx.n8n.runViaWebhook<{ echo: string; doubled: number }>(path, {
			message: 'hello',
			n: 21,
		});
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ echo: 'hello', doubled: 42 });

		const exec = await ctx.n8n.waitForExecution((e) => e.workflowId === id, { timeoutMs: 30_000 });
		expect(exec.status).toBe('success');
		expect(exec.mode).toBe('webhook');
		expect(nodeOutput(exec, 'Echo').map((i) => i.json)).toEqual([{ echo: 'hello', doubled: 42 }]);

		// by id as well
		const byId = await ctx.n8n.waitForExecution(exec.id);
		expect(byId.id).toBe(exec.id);

		await ctx.n8n.unpublish(id);
		const after = await ctx.n8n.runViaWebhook(path, { message: 'x', n: 1 });
		expect(after.status).toBe(404);
	});

	it('runs a Manual Trigger workflow through `n8n execute --id`', async () => {
		const id = await ctx.n8n.importWorkflow(workflow('smoke-manual.json'));
		const out = await ctx.n8n.executeWorkflowCli(id);
		if (out.execution?.status !== 'success') {
			throw new Error(
				`n8n execute: code ${out.code} signal ${out.signal}\n${out.stderr}\n${out.stdout.slice(-2000)}`,
			);
		}
		expect(nodeOutput(out.execution, 'Answer').map((i) => i.json)).toEqual([{ answer: 42 }]);
		const exec = await ctx.n8n.waitForExecution((e) => e.workflowId === id, { timeoutMs: 30_000 });
		expect(exec.status).toBe('success');
	});

	it('survives a restart on the same folder: published webhook, API key and executions are kept', async () => {
		const wf = workflow('smoke-webhook.json');
		const path = uniqueWebhookPath('restart');
		const hook = wf.nodes.find((n) => n.name === 'Webhook')!;
		hook.parameters.path = path;
		hook.webhookId = randomUUID();
		const id = await ctx.n8n.importWorkflow(wf);
		await ctx.n8n.publish(id);
		expect((await ctx.n8n.runViaWebhook(path, { message: 'before', n: 1 })).status).toBe(200);

		await ctx.n8n.stop();
		expect(ctx.n8n.running()).toBe(false);
		await expect(fetch(`${ctx.n8n.baseUrl}/healthz`)).rejects.toThrow();
		await ctx.n8n.start();
		expect(ctx.n8n.running()).toBe(true);

		const res = await ctx.n8n.runViaWebhook<{ echo: string }>(path, { message: 'after', n: 2 });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ echo: 'after', doubled: 4 });
		const runs = await ctx.n8n.listExecutions({ workflowId: id, includeData: false });
		expect(runs.length).toBeGreaterThanOrEqual(2);
	});
});
