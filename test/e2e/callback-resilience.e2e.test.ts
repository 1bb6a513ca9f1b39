/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * "Until Callback" under outages and hostile input, in a real n8n (issue 9, item 2). n8n ends a waiting
 * execution with an error when the node's resume webhook throws, so each case here killed the wait before:
 * (a) the final callback arrives while the provider's status API answers 503: the callback is answered 503,
 *     the execution stays waiting, and the provider's retried callback resumes it with the task and the MP4;
 * (b) malformed and hostile bodies on the resume URL get 4xx and change nothing; the genuine callback still resumes;
 * (c) the only final callback is lost (a provider that does not retry, answered 503 during an outage): the
 *     node's watch still brings the true final state to the workflow before the timeout.
 * No answer of n8n is a 500 anywhere.
 *
 * Runs its own simulators in-process (renders of 13 s, callbacks retried or not), like callback-wait.e2e.test.ts.
 */
import { startSimulator, KEYS, type SimTask, type Simulator } from '../simulator/index';
import type { Execution, N8nInstance } from '../n8n/instance';
import { loadE2e, PROVIDER_CREDENTIALS, uniqueWebhookPath, type E2eContext } from './context';
import {
	actTwo,
	createParams,
	deploy,
	describeExecution,
	noOp,
	storedBinary,
	until,
	webhookTrigger,
	workflow,
	type CredentialRef,
} from './workflows/build';

type Provider = 'useapi' | 'liangxin';

const TIMING = { queuedMs: 1000, runningMs: 12_000, progressSteps: 4 };

let ctx: E2eContext;
/** Retries callbacks (10 attempts, 1 s doubling), as a provider that retries on non-2xx does. */
let retrying: Simulator;
/** Sends each callback once and never again. */
let once: Simulator;
/** Like `once`, for the simultaneous-resume case alone (its faults must not meet another case's). */
let lone: Simulator;
/** Every answer n8n gave to a request of this file (status), for the "no 500" check. */
const answers: Array<{ what: string; status: number }> = [];

beforeAll(async () => {
	ctx = await loadE2e();
	retrying = await startSimulator({
		timing: TIMING,
		callbackRetry: { attempts: 10, baseDelayMs: 1000 },
	});
	once = await startSimulator({ timing: TIMING, callbackRetry: { attempts: 1 } });
	lone = await startSimulator({ timing: TIMING, callbackRetry: { attempts: 1 } });
});

afterAll(async () => {
	await retrying?.close();
	await once?.close();
	await lone?.close();
});

async function credentialFor(sim: Simulator, provider: Provider): Promise<CredentialRef> {
	const type = PROVIDER_CREDENTIALS[provider];
	const name = `${provider} (callback-resilience ${Date.now().toString(36)})`;
	const id = await ctx.n8n.createCredential(name, type, {
		apiKey: KEYS[provider],
		baseUrl: sim.baseUrls[provider],
	});
	return { [type]: { id, name } };
}

/** Publishes a Webhook → Act-Two (Until Callback) → NoOp workflow, runs it, returns the waiting execution. */
async function startWaiting(
	sim: Simulator,
	provider: Provider,
	output: 'task' | 'binary',
	timeoutMinutes: number,
): Promise<{ exec: Execution; workflowId: string; task: SimTask; parkedAt: number }> {
	const n8n = ctx.n8n;
	const credentials = await credentialFor(sim, provider);
	const urls = { character: sim.staticUrl('character.png'), driving: sim.staticUrl('driving.mp4') };
	const path = uniqueWebhookPath(`resilience-${provider}`);
	const wf = workflow(
		`until callback resilience ${provider}`,
		[
			webhookTrigger(path),
			actTwo(
				'Render',
				credentials,
				createParams(provider, urls, {
					waitForCompletion: 'callback',
					output,
					binaryPropertyName: 'video',
					options: { timeoutMinutes },
				}),
				[1, 0],
			),
			noOp('After', [2, 0]),
		],
		[
			['Webhook', 'Render'],
			['Render', 'After'],
		],
	);
	const workflowId = await deploy(n8n, wf);
	const res = await n8n.runViaWebhook(path, {});
	expect(res.status).toBe(200);
	const exec = await n8n.waitForExecution((e) => e.workflowId === workflowId, {
		workflowId,
		timeoutMs: 30_000,
	});
	expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
		status: 'waiting',
	});
	const task = sim
		.tasks()
		.find(
			(t) => t.provider === provider && t.callbackUrl?.includes(`/webhook-waiting/${exec.id}?`),
		);
	if (!task) throw new Error(`no ${provider} task calls back execution ${exec.id}`);
	return { exec, workflowId, task, parkedAt: Date.now() };
}

async function statusOf(id: string): Promise<string> {
	return (await ctx.n8n.api<Execution>('GET', `/executions/${id}`)).body.status;
}

/** POSTs raw text to the resume URL; records n8n's answer. */
async function postRaw(
	what: string,
	url: string,
	text: string,
	contentType = 'application/json',
): Promise<{ status: number; text: string }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': contentType },
		body: text,
	});
	const answer = { status: res.status, text: await res.text() };
	answers.push({ what, status: answer.status });
	return answer;
}

const post = async (what: string, url: string, body: unknown) =>
	await postRaw(what, url, JSON.stringify(body));

/** What the provider's API says about a task right now (the shape its callbacks carry). */
async function providerBody(
	sim: Simulator,
	provider: Provider,
	taskId: string,
): Promise<Record<string, unknown>> {
	const url =
		provider === 'useapi'
			? `${sim.baseUrls.useapi}/tasks/${encodeURIComponent(taskId)}`
			: `${sim.baseUrls.liangxin}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`;
	const res = await fetch(url, { headers: { authorization: `Bearer ${KEYS[provider]}` } });
	expect(res.status).toBe(200);
	return (await res.json()) as Record<string, unknown>;
}

function lastJson(exec: Execution, nodeName: string): Array<Record<string, unknown>> {
	const runs = exec.data?.resultData.runData[nodeName] ?? [];
	return (runs[runs.length - 1]?.data?.main[0] ?? []).map((i) => i.json);
}

async function waitUntilFinished(id: string, timeoutMs: number): Promise<Execution> {
	return await ctx.n8n.waitForExecution(id, {
		timeoutMs,
		statuses: ['success', 'error', 'crashed', 'canceled'],
	});
}

const finalCallbacks = (sim: Simulator, taskId: string) =>
	sim.callbacks().filter((c) => c.taskId === taskId && c.event === 'final');

/** The provider's status reads of one provider answer 503 until cleared. */
function statusApiDown(sim: Simulator, provider: Provider): void {
	sim.faults.add({
		provider,
		method: 'GET',
		path: provider === 'useapi' ? /\/tasks\// : /recordInfo/,
		kind: 'status',
		status: 503,
	});
}

/**
 * (a) useapi.net, output MP4: the final callback meets a 503 spell of the status API. The timeout (30 min) keeps
 * the watch (every 3 min) out of it: the provider's own retry resumes the execution.
 */
async function outageDuringFinalCallback(): Promise<void> {
	const sim = retrying;
	const { exec, task } = await startWaiting(sim, 'useapi', 'binary', 30);
	statusApiDown(sim, 'useapi');
	const refused = await until(
		'two final callbacks answered 503 during the outage',
		async () => {
			const r = finalCallbacks(sim, task.id).filter((c) => c.status === 503);
			return r.length >= 2 ? r : undefined;
		},
		90_000,
	);
	expect(await statusOf(exec.id)).toBe('waiting');
	// the same genuine body, posted by us: the reason and that it is worth retrying
	const again = await post('final callback during the outage', task.callbackUrl!, refused[0].body);
	expect(again.status).toBe(503);
	expect(JSON.parse(again.text)).toMatchObject({ resumed: false, retry: true });
	expect(again.text).toMatch(/could not confirm/);
	expect(again.text).not.toContain(KEYS.useapi);
	expect(await statusOf(exec.id)).toBe('waiting');

	sim.faults.clear();
	const done = await waitUntilFinished(exec.id, 120_000);
	expect({ status: done.status, why: describeExecution(done) }).toMatchObject({
		status: 'success',
	});
	const finals = finalCallbacks(sim, task.id);
	expect(finals[finals.length - 1].status).toBe(200);
	for (const c of finals)
		answers.push({ what: `useapi callback #${c.attempt}`, status: c.status ?? 0 });
	const [out] = lastJson(done, 'Render');
	expect(out).toMatchObject({
		provider: 'useapi',
		taskId: task.id,
		status: 'succeeded',
		timedOut: false,
	});
	const runs = done.data!.resultData.runData.After;
	const video = runs[runs.length - 1].data!.main[0]![0].binary?.video;
	expect(video).toMatchObject({ mimeType: 'video/mp4' });
	expect(storedBinary(ctx.n8n.userFolder, video!.id)?.subarray(4, 8).toString('latin1')).toBe(
		'ftyp',
	);
}

/** (b) LiangXin: hostile and malformed calls get 4xx (202 at most: read, unconfirmed) and leave it waiting. */
async function hostileBodies(): Promise<void> {
	const sim = retrying;
	const { exec, task } = await startWaiting(sim, 'liangxin', 'task', 30);
	const url = task.callbackUrl!;
	const id = task.id;
	const genuine = await providerBody(sim, 'liangxin', id);
	const data = genuine.data as Record<string, unknown>;
	const success = { ...genuine, code: 200, data: { ...data, state: 'success' } };
	const hostile: Array<[string, string, string?]> = [
		[
			'state {"toString":1}',
			JSON.stringify({ code: 200, data: { taskId: id, state: { toString: 1 } } }),
		],
		[
			'taskId {"toString":1}',
			JSON.stringify({ code: 200, data: { taskId: { toString: 1 }, state: 'success' } }),
		],
		[
			'resultJson {"toString":1}',
			JSON.stringify({ ...success, data: { ...success.data, resultJson: { toString: 1 } } }),
		],
		['code {"valueOf":1}', JSON.stringify({ ...success, code: { valueOf: 1 } })],
		['data null', JSON.stringify({ code: 200, data: null })],
		['a JSON array', JSON.stringify([success])],
		['a JSON string', JSON.stringify('success')],
		['a JSON number', '1e308'],
		['not JSON at all', '{"code":200,"data":{"taskId":'],
		['an empty body', ''],
		['__proto__ smuggling', `{"__proto__":{"taskId":"${id}","state":"success"},"code":200}`],
		['the watch body with an object', JSON.stringify({ actTwoCheck: { toString: 1 } })],
		['the watch body for another task', JSON.stringify({ actTwoCheck: `${id}0` })],
		[
			'another task, success',
			JSON.stringify(JSON.parse(JSON.stringify(success).split(id).join(`${id}0`))),
		],
		['text/plain', 'state=success', 'text/plain'],
		['form-urlencoded', `taskId=${id}&state=success`, 'application/x-www-form-urlencoded'],
	];
	for (const [what, text, type] of hostile) {
		const res = await postRaw(what, url, text, type);
		expect({ what, clientError: res.status >= 400 && res.status < 500 }).toEqual({
			what,
			clientError: true,
		});
		expect({ what, execution: await statusOf(exec.id) }).toEqual({ what, execution: 'waiting' });
	}
	// Odd values in an otherwise readable body: the lenient parser may read them (a state it does not know
	// counts as queued: 200, still waiting), or reject them (400); a time beyond the Date range is either
	// not understood (400) or read as null and then not confirmed by the API (202). Never a resume or a 5xx.
	const odd: Array<[string, unknown, number[]]> = [
		['a 1 MB state', { code: 200, data: { taskId: id, state: 'x'.repeat(1 << 20) } }, [200, 400]],
		[
			'state ["success"]',
			{ ...success, data: { ...success.data, state: ['success'] } },
			[200, 202, 400],
		],
		[
			'updateTime 1e308',
			{ ...success, data: { ...success.data, updateTime: 1e308, completeTime: 1e308 } },
			[202, 400],
		],
	];
	for (const [what, body, allowed] of odd) {
		const res = await post(what, url, body);
		expect({ what, status: res.status, allowed: allowed.includes(res.status) }).toMatchObject({
			what,
			allowed: true,
		});
		expect({ what, execution: await statusOf(exec.id) }).toEqual({ what, execution: 'waiting' });
	}
	expect(sim.tasks().find((t) => t.id === id)!.phase).not.toBe('succeeded');

	// the provider's genuine callback still resumes it
	const done = await waitUntilFinished(exec.id, 60_000);
	expect({ status: done.status, why: describeExecution(done) }).toMatchObject({
		status: 'success',
	});
	const [out] = lastJson(done, 'Render');
	expect(out).toMatchObject({
		provider: 'liangxin',
		taskId: id,
		status: 'succeeded',
		timedOut: false,
	});
	for (const c of finalCallbacks(sim, id))
		answers.push({ what: `liangxin callback #${c.attempt}`, status: c.status ?? 0 });
}

/**
 * (c) LiangXin that sends its callback once: it meets an outage and is lost. The node's watch (every 15 s for a
 * 2 min timeout) brings the finished render to the workflow before the timeout, with its true state.
 */
async function lostFinalCallback(): Promise<void> {
	const sim = once;
	const timeoutMs = 2 * 60_000;
	const { exec, task, parkedAt } = await startWaiting(sim, 'liangxin', 'task', 2);
	statusApiDown(sim, 'liangxin');
	const [lost] = await until(
		'the only final callback, answered 503',
		async () => {
			const r = finalCallbacks(sim, task.id);
			return r.length > 0 ? r : undefined;
		},
		60_000,
	);
	expect(lost.status).toBe(503);
	answers.push({ what: 'liangxin callback sent once', status: lost.status ?? 0 });
	expect(await statusOf(exec.id)).toBe('waiting');
	sim.faults.clear();

	const done = await waitUntilFinished(exec.id, timeoutMs);
	const resumedAfter = Date.now() - parkedAt;
	expect({ status: done.status, why: describeExecution(done) }).toMatchObject({
		status: 'success',
	});
	const [out] = lastJson(done, 'Render');
	expect(out).toMatchObject({
		provider: 'liangxin',
		taskId: task.id,
		status: 'succeeded',
		timedOut: false,
	});
	expect(String(out.videoUrl)).toMatch(/\.mp4/);
	expect(lastJson(done, 'After')).toEqual([out]);
	expect(resumedAfter).toBeLessThan(timeoutMs);
	process.stdout.write(`(c) resumed ${resumedAfter} ms after parking (timeout ${timeoutMs} ms)\n`);
	// the provider never delivered it: one attempt, refused
	expect(finalCallbacks(sim, task.id)).toHaveLength(1);
}

/**
 * (d) Several resumes at the same instant: the provider's (re)sent final callback and the watch's check arrive
 * together. n8n lets one resume the execution; the others must not start a second run or get a 500.
 */
async function simultaneousResumes(): Promise<void> {
	const sim = lone;
	const { exec, task } = await startWaiting(sim, 'useapi', 'task', 30);
	statusApiDown(sim, 'useapi');
	const [lost] = await until(
		'the only final callback, answered 503',
		async () => {
			const r = finalCallbacks(sim, task.id);
			return r.length > 0 ? r : undefined;
		},
		60_000,
	);
	answers.push({ what: 'useapi callback sent once', status: lost.status ?? 0 });
	sim.faults.clear();
	expect(await statusOf(exec.id)).toBe('waiting');
	const url = task.callbackUrl!;
	const bodies = [
		lost.body,
		lost.body,
		lost.body,
		{ actTwoCheck: task.id },
		{ actTwoCheck: task.id },
	];
	const results = await Promise.all(
		bodies.map(async (body, n) => await post(`simultaneous resume #${n}`, url, body)),
	);
	const resumed = results.filter((r) => r.status === 200 && /"resumed":true/.test(r.text));
	process.stdout.write(
		`(d) simultaneous resumes answered: ${JSON.stringify(results.map((r) => [r.status, r.text.slice(0, 80)]))}\n`,
	);
	const done = await waitUntilFinished(exec.id, 60_000);
	expect({ status: done.status, why: describeExecution(done) }).toMatchObject({
		status: 'success',
	});
	expect(done.data!.resultData.runData.After).toHaveLength(1);
	expect(lastJson(done, 'Render')).toEqual([
		expect.objectContaining({ taskId: task.id, status: 'succeeded', timedOut: false }),
	]);
	expect(resumed.length).toBeGreaterThanOrEqual(1);
	const executions = await ctx.n8n.listExecutions({ workflowId: exec.workflowId });
	expect(executions.map((e) => e.id)).toEqual([exec.id]);
}

describe('Until Callback: outages and hostile input never end a waiting execution (real n8n)', () => {
	it('(a) final callback during a 503 spell, (b) hostile bodies, (c) a lost final callback, (d) simultaneous resumes: every wait ends success with the true task, once, no 500', async () => {
		const results = await Promise.allSettled([
			outageDuringFinalCallback(),
			hostileBodies(),
			lostFinalCallback(),
			simultaneousResumes(),
		]);
		process.stdout.write(`answers of n8n: ${JSON.stringify(answers)}\n`);
		const failed = results
			.map((r, n) => (r.status === 'rejected' ? `(${'abcd'[n]}) ${String(r.reason)}` : null))
			.filter((r) => r !== null);
		if (failed.length) throw new Error(failed.join('\n---\n'));
		expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
		expect(answers.filter((a) => a.status === 0)).toEqual([]);
	});
});

export type { N8nInstance };
