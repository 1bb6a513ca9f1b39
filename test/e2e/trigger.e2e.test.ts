/**
 * The Act-Two Trigger in a real n8n: a published workflow whose production URL receives the simulator's
 * real callbacks. A render started by an Act-Two node (Callback URL = trigger URL + ?secret=) starts exactly
 * one execution; forged, unconfirmed and repeated deliveries start none. Asserted through n8n's executions.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { loadE2e, post, uniqueWebhookPath, type E2eContext } from './context';
import {
	ACT_TWO_TRIGGER,
	actTwo,
	createParams,
	deploy,
	describeExecution,
	executionsOf,
	jsonOf,
	node,
	noOp,
	sleep,
	until,
	webhookTrigger,
	workflow,
} from './workflows/build';

let ctx: E2eContext;
let urls: { character: string; driving: string };

interface SimCallback {
	provider: string;
	taskId: string;
	url: string;
	event: 'progress' | 'final';
	body: unknown;
	status: number | null;
}

beforeAll(async () => {
	ctx = await loadE2e();
	if (!ctx.info.simulator) throw new Error('this suite needs the simulator');
	const sim = ctx.info.simulator.url;
	urls = { character: `${sim}/static/character.png`, driving: `${sim}/static/driving.mp4` };
	await ctx.sim('POST', 'reset');
});

const CALLING_BACK = ['liangxin', 'useapi', 'muapi'] as const;

describe.each(CALLING_BACK)('Act-Two Trigger (%s) in a real n8n', (provider) => {
	it('a real provider callback starts exactly one execution; forged, unconfirmed and repeated ones start none', async () => {
		const secret = randomBytes(18).toString('base64url');
		const webhookId = randomUUID();
		const trigger = node(
			'Act-Two Trigger',
			ACT_TWO_TRIGGER,
			{ provider, secret, events: 'finished', options: { confirm: true } },
			[0, 0],
			{ webhookId, credentials: ctx.credentialRef(provider) },
		);
		const triggerWfId = await deploy(
			ctx.n8n,
			workflow(
				`trigger ${provider}`,
				[trigger, noOp('Got It', [1, 0])],
				[['Act-Two Trigger', 'Got It']],
			),
		);
		const triggerUrl = `${ctx.n8n.baseUrl}/webhook/${webhookId}/act-two`;

		// an Act-Two node starts the render with the trigger's production URL as its Callback URL
		const path = uniqueWebhookPath(`trigger-sender-${provider}`);
		const senderId = await deploy(
			ctx.n8n,
			workflow(
				`trigger sender ${provider}`,
				[
					webhookTrigger(path),
					actTwo(
						'Start Render',
						ctx.credentialRef(provider),
						createParams(provider, urls, {
							waitForCompletion: 'none',
							createOptions: {
								callbackUrl: `${triggerUrl}?secret=${secret}`,
								// Muapi takes no reply reference (the field is hidden for it)
								...(provider === 'muapi' ? {} : { replyRef: 'order-42' }),
							},
						}),
						[1, 0],
					),
				],
				[['Webhook', 'Start Render']],
			),
		);
		expect((await ctx.n8n.runViaWebhook(path, {})).status).toBe(200);
		const sent = await ctx.n8n.waitForExecution((e) => e.workflowId === senderId, {
			workflowId: senderId,
			timeoutMs: 60_000,
		});
		expect({ status: sent.status, why: describeExecution(sent) }).toMatchObject({
			status: 'success',
		});
		const taskId = String(jsonOf(sent, 'Start Render')[0].taskId);
		expect(taskId).not.toBe('');

		// the simulator's final callback reaches the trigger and is accepted
		const finalCallback = await until(
			'the final callback to be answered',
			async () =>
				(await ctx.sim<SimCallback[]>('GET', 'callbacks')).find(
					(c) => c.taskId === taskId && c.event === 'final' && c.status === 200,
				),
			30_000,
		);
		expect(finalCallback.url).toBe(`${triggerUrl}?secret=${secret}`);
		const exec = await ctx.n8n.waitForExecution((e) => e.workflowId === triggerWfId, {
			workflowId: triggerWfId,
			timeoutMs: 30_000,
		});
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});
		expect(exec.mode).toBe('webhook');
		const [item] = jsonOf(exec, 'Act-Two Trigger');
		expect(item).toMatchObject({ provider, taskId, status: 'succeeded', confirmed: true });
		expect(String(item.videoUrl)).toMatch(/\/files\/[^/?]+\.mp4(\?.*)?$/);
		// the provider echoes the callback URL (LiangXin's param): its secret never reaches the execution
		const masked = JSON.stringify(finalCallback.body)
			.split(secret)
			.join(`${secret.slice(0, 3)}***`);
		expect(item.callback).toEqual(JSON.parse(masked));
		expect(JSON.stringify(exec.data)).not.toContain(secret);
		expect(jsonOf(exec, 'Got It')).toEqual([item]);

		// useapi also sent progress callbacks: answered, filtered out, no execution
		const all = (await ctx.sim<SimCallback[]>('GET', 'callbacks')).filter(
			(c) => c.taskId === taskId,
		);
		if (provider === 'useapi') {
			expect(all.filter((c) => c.event === 'progress').length).toBeGreaterThan(0);
		}
		expect(all.every((c) => c.status === 200)).toBe(true);

		// forged: wrong secret
		const wrong = await post(`${triggerUrl}?secret=not-${secret}`, finalCallback.body);
		expect(wrong.status).toBe(401);
		const missing = await post(triggerUrl, finalCallback.body);
		expect(missing.status).toBe(401);
		// forged: right secret, a task the provider does not know (confirmed with the credential)
		const unknownId =
			provider === 'liangxin'
				? `task_runway_act_two_${Date.now()}9`
				: taskId.replace(/[0-9a-f]{8}-/, '00000000-');
		expect(unknownId).not.toBe(taskId);
		const forgedBody = JSON.parse(JSON.stringify(finalCallback.body).split(taskId).join(unknownId));
		const unknown = await post(`${triggerUrl}?secret=${secret}`, forgedBody);
		expect(unknown.status).toBe(403);
		expect(JSON.stringify(unknown.body)).toContain(unknownId);
		// not a callback body at all
		const junk = await post(`${triggerUrl}?secret=${secret}`, { hello: 'world' });
		expect(junk.status).toBe(400);
		// a repeated delivery of the real callback
		const again = await post(`${triggerUrl}?secret=${secret}`, finalCallback.body);
		expect(again.status).toBe(200);
		expect(again.body).toMatchObject({ started: false, reason: 'duplicate delivery' });

		// still exactly one execution of the trigger workflow
		await sleep(1500);
		const execs = await executionsOf(ctx.n8n, triggerWfId);
		expect(execs.map((e) => `${e.id}:${e.status}`)).toEqual([`${exec.id}:success`]);
		await ctx.n8n.unpublish(triggerWfId);
		await ctx.n8n.unpublish(senderId);
	});
});
