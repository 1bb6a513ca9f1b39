/**
 * "Until Callback" (issue 5) in a real n8n: Act-Two Create parks the execution (`waiting`, no worker
 * held) with `$execution.resumeUrl` as the provider's callback URL; progress callbacks and forged calls
 * keep it waiting, the terminal callback resumes it and it ends `success` with the normalized task.
 * Then the same across an n8n restart (a second n8n of our own, stopped while the execution waits, the
 * provider's callback hitting the dead port and retried), plus the timeout resume by n8n's WaitTracker.
 *
 * This file runs its own simulator in-process: the shared one renders in under a second and gives up
 * on a callback after 3 attempts within 0.6 s, too fast to observe `waiting` and to outlive a restart.
 */
import { startSimulator, KEYS, type SimTask, type Simulator } from '../simulator/index';
import { startN8n, type Execution, type N8nInstance } from '../n8n/instance';
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

type CallbackProvider = 'useapi' | 'liangxin' | 'comet';

/** Render timing of this file's simulator: 1 s queued, 12 s running with 4 progress steps. */
const TIMING = { queuedMs: 1000, runningMs: 12_000, progressSteps: 4 };
/**
 * The restart test's simulator renders for 30 s: longer than parking two executions plus stopping n8n
 * (instance.stop() falls back to SIGKILL after 20 s), so the terminal callback always meets a dead port.
 */
const RESTART_TIMING = { queuedMs: 500, runningMs: 30_000, progressSteps: 2 };
/** Callback retries: 10 attempts, 1 s doubling (1, 2, 4 … 256 s): a restart of n8n is well inside. */
const RETRY = { attempts: 10, baseDelayMs: 1000 };

let ctx: E2eContext;
let sim: Simulator;
/** The restart test's own n8n: it boots (~20-40 s) while the first test mostly waits on renders. */
let ownBoot: Promise<N8nInstance> | undefined;

beforeAll(async () => {
	ctx = await loadE2e();
	sim = await startSimulator({ timing: TIMING, callbackRetry: RETRY });
	if (ctx.info.package.tarball) {
		ownBoot = startN8n({ packageTarball: ctx.info.package.tarball });
		ownBoot.catch(() => undefined); // awaited (and reported) by the restart test
	}
});

afterAll(async () => {
	await sim?.close();
	const own = await ownBoot?.catch(() => undefined);
	await own?.destroy();
});

/** A credential for this file's simulator in `n8n`. */
async function credentialFor(
	n8n: N8nInstance,
	provider: CallbackProvider,
	s: Simulator = sim,
): Promise<CredentialRef> {
	const type = PROVIDER_CREDENTIALS[provider];
	const name = `${provider} (callback-wait simulator ${Date.now().toString(36)})`;
	const id = await n8n.createCredential(name, type, {
		apiKey: KEYS[provider],
		baseUrl: s.baseUrls[provider],
	});
	return { [type]: { id, name } };
}

function callbackWorkflow(
	provider: CallbackProvider,
	credentials: CredentialRef,
	options: Record<string, unknown>,
	s: Simulator,
	output: 'task' | 'binary',
	more: Record<string, unknown> = {},
) {
	const urls = { character: s.staticUrl('character.png'), driving: s.staticUrl('driving.mp4') };
	const path = uniqueWebhookPath(`until-callback-${provider}`);
	const wf = workflow(
		`until callback ${provider}`,
		[
			webhookTrigger(path),
			actTwo(
				'Render',
				credentials,
				createParams(provider, urls, {
					waitForCompletion: 'callback',
					output,
					binaryPropertyName: 'video',
					createOptions: provider === 'useapi' ? { replyRef: 'order-1234' } : {},
					options: { timeoutMinutes: 10, ...options },
					...more,
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
	return { wf, path };
}

/** Publishes and starts the workflow, returns the execution once n8n stored it as waiting. */
async function startWaiting(
	n8n: N8nInstance,
	provider: CallbackProvider,
	credentials: CredentialRef,
	options: Record<string, unknown> = {},
	s: Simulator = sim,
	output: 'task' | 'binary' = 'task',
	more: Record<string, unknown> = {},
): Promise<{ exec: Execution; workflowId: string; task: SimTask }> {
	const { wf, path } = callbackWorkflow(provider, credentials, options, s, output, more);
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
	const task = s
		.tasks()
		.find(
			(t) => t.provider === provider && t.callbackUrl?.includes(`/webhook-waiting/${exec.id}?`),
		);
	if (!task) throw new Error(`no ${provider} task calls back execution ${exec.id}`);
	return { exec, workflowId, task };
}

async function statusOf(n8n: N8nInstance, id: string): Promise<string> {
	return (await n8n.api<Execution>('GET', `/executions/${id}`)).body.status;
}

async function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: res.status, text: await res.text() };
}

/** What the provider's API says about a task right now (the shape its callbacks carry). */
async function providerBody(
	provider: 'useapi' | 'liangxin',
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

/** The same body, claiming the render succeeded. */
function claimSucceeded(provider: 'useapi' | 'liangxin', body: Record<string, unknown>) {
	if (provider === 'useapi') return { ...body, status: 'SUCCEEDED' };
	return { ...body, code: 200, data: { ...(body.data as object), state: 'success' } };
}

/** The last run of a node (a resumed node has its waiting run and its resumed run). */
function lastJson(exec: Execution, nodeName: string): Array<Record<string, unknown>> {
	const runs = exec.data?.resultData.runData[nodeName] ?? [];
	return (runs[runs.length - 1]?.data?.main[0] ?? []).map((i) => i.json);
}

async function waitUntilFinished(
	n8n: N8nInstance,
	id: string,
	timeoutMs: number,
): Promise<Execution> {
	return await n8n.waitForExecution(id, {
		timeoutMs,
		statuses: ['success', 'error', 'crashed', 'canceled'],
	});
}

/**
 * One provider on the shared n8n: waiting → progress callbacks (useapi) and forged calls keep it waiting →
 * the terminal callback resumes it → success with the normalized task (and the MP4, for output 'binary':
 * downloaded by the resume webhook, stored by n8n).
 */
async function scenario(provider: 'useapi' | 'liangxin', output: 'task' | 'binary'): Promise<void> {
	const n8n = ctx.n8n;
	const credentials = await credentialFor(n8n, provider);
	const { exec, workflowId, task } = await startWaiting(
		n8n,
		provider,
		credentials,
		{},
		sim,
		output,
	);
	const resumeUrl = task.callbackUrl!;
	expect(resumeUrl).toMatch(
		new RegExp(`^${n8n.baseUrl}/webhook-waiting/${exec.id}\\?signature=[0-9a-f]{32,}$`),
	);
	expect(exec.waitTill).toBeTruthy();
	const parked = exec.data!.resultData.runData.Render[0].data!.main[0]![0].json;
	expect(parked).toMatchObject({ provider, taskId: task.id });

	if (provider === 'useapi') {
		// progress callbacks are answered 200 and leave the execution waiting
		await until(
			'a progress callback answered 200',
			async () =>
				sim
					.callbacks()
					.some((c) => c.taskId === task.id && c.event === 'progress' && c.status === 200),
			20_000,
		);
		expect(await statusOf(n8n, exec.id)).toBe('waiting');
	}

	// forged calls to the resume URL: none resumes the execution
	const now = await providerBody(provider, task.id);
	const noSignature = await post(
		resumeUrl.replace(/\?signature=.*$/, ''),
		claimSucceeded(provider, now),
	);
	expect(noSignature.status).toBe(401);
	const badSignature = await post(
		resumeUrl.replace(/signature=[0-9a-f]/, 'signature=x'),
		claimSucceeded(provider, now),
	);
	expect(badSignature.status).toBe(401);
	const junk = await post(resumeUrl, { hello: 'world' });
	expect(junk.status).toBe(400);
	const otherId =
		provider === 'useapi' ? task.id.replace(/[0-9a-f]{8}-/, '00000000-') : `${task.id}0`;
	expect(otherId).not.toBe(task.id);
	const otherTask = await post(
		resumeUrl,
		JSON.parse(JSON.stringify(claimSucceeded(provider, now)).split(task.id).join(otherId)),
	);
	expect(otherTask.status).toBe(403);
	// the right task, claimed finished while the provider's API still says it runs
	const early = await post(resumeUrl, claimSucceeded(provider, now));
	expect({ status: early.status, body: early.text }).toMatchObject({ status: 202 });
	expect(sim.tasks().find((t) => t.id === task.id)!.phase).not.toBe('succeeded');
	expect(await statusOf(n8n, exec.id)).toBe('waiting');

	// the provider's terminal callback resumes it
	const done = await waitUntilFinished(n8n, exec.id, 40_000);
	expect({ status: done.status, why: describeExecution(done) }).toMatchObject({
		status: 'success',
	});
	const final = (await sim.callbacksSettled()).filter(
		(c) => c.taskId === task.id && c.event === 'final',
	);
	expect(final.length).toBeGreaterThan(0);
	expect(final[final.length - 1].status).toBe(200);
	const [out] = lastJson(done, 'Render');
	expect(out).toMatchObject({ provider, taskId: task.id, status: 'succeeded', timedOut: false });
	expect(String(out.videoUrl)).toMatch(/\/files\/[^/?]+\.mp4(\?.*)?$/);
	if (provider === 'useapi') expect(out.replyRef).toBe('order-1234');
	expect(lastJson(done, 'After')).toEqual([out]);
	if (output === 'binary') {
		const runs = done.data!.resultData.runData.After;
		const video = runs[runs.length - 1].data!.main[0]![0].binary?.video;
		expect(video).toMatchObject({ mimeType: 'video/mp4' });
		expect(video!.fileName).toMatch(/\.mp4$/);
		const bytes = storedBinary(n8n.userFolder, video!.id);
		expect(bytes?.subarray(4, 8).toString('latin1')).toBe('ftyp');
	}
	// the same URL again: finished executions are not resumed twice
	expect((await post(resumeUrl, claimSucceeded(provider, now))).status).toBe(409);
	await n8n.unpublish(workflowId);
}

/**
 * CometAPI Act-One, the render fails (moderation) while the execution waits: n8n resumes waiting nodes on
 * their main output only, so the node resumes with status 'failed' and the error (README "Three ways to wait").
 */
async function failedRender(): Promise<void> {
	const n8n = ctx.n8n;
	sim.outcomes.next('comet', 'moderation');
	const credentials = await credentialFor(n8n, 'comet');
	const { exec, workflowId, task } = await startWaiting(
		n8n,
		'comet',
		credentials,
		{},
		sim,
		'task',
		{
			model: 'act_one',
		},
	);
	expect(task).toMatchObject({ model: 'act_one', outcome: 'moderation' });
	const done = await waitUntilFinished(n8n, exec.id, 40_000);
	expect({ status: done.status, why: describeExecution(done) }).toMatchObject({
		status: 'success',
	});
	const [out] = lastJson(done, 'Render');
	expect(out).toMatchObject({
		provider: 'comet',
		model: 'act_one',
		taskId: task.id,
		status: 'failed',
		timedOut: false,
		videoUrl: null,
		error: { category: 'moderation' },
	});
	expect(lastJson(done, 'After')).toEqual([out]);
	await n8n.unpublish(workflowId);
}

describe('Act-Two Create "Until Callback" in a real n8n', () => {
	it('useapi.net (task) and LiangXin (MP4): waiting, progress and forged calls keep waiting, the terminal callback resumes; a failed CometAPI Act-One render resumes with status failed', async () => {
		// all at once: each render takes ~13 s in this file's simulator
		const results = await Promise.allSettled([
			scenario('useapi', 'task'),
			scenario('liangxin', 'binary'),
			failedRender(),
		]);
		const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		if (failed.length) throw failed[0].reason;
	});

	describe('across an n8n restart (a separate n8n of this file)', () => {
		let slow: Simulator | undefined;

		afterAll(async () => {
			await slow?.close();
		});

		it('the callback that hits the stopped n8n is retried and resumes the execution after the restart; a timed-out wait resumes through the WaitTracker', async () => {
			if (!ownBoot) throw new Error('no package tarball in this e2e run');
			slow = await startSimulator({ timing: RESTART_TIMING, callbackRetry: RETRY });
			const s = slow;
			const own = await ownBoot;
			const liangxin = await credentialFor(own, 'liangxin', s);
			const useapi = await credentialFor(own, 'useapi', s);

			// A: a render that ends while n8n is down; B: a render that never ends, with a 30 s timeout
			s.outcomes.next('useapi', 'stuck');
			const b = await startWaiting(own, 'useapi', useapi, { timeoutMinutes: 0.5 }, s);
			const a = await startWaiting(own, 'liangxin', liangxin, {}, s);

			const stopStarted = Date.now();
			await own.stop();
			expect(own.running()).toBe(false);
			// A must still be rendering now, or its callback may have reached n8n before it went down
			expect({
				phase: s.tasks().find((t) => t.id === a.task.id)!.phase,
				stopMs: Date.now() - stopStarted,
			}).toEqual({
				phase: expect.stringMatching(/^(queued|running)$/),
				stopMs: expect.any(Number),
			});
			// the terminal callback finds nobody listening
			const refused = await until(
				'the final callback to fail against the stopped n8n',
				async () =>
					s
						.callbacks()
						.find((c) => c.taskId === a.task.id && c.event === 'final' && c.status === null),
				45_000,
			);
			expect(refused.error).toBeTruthy();

			await own.start();
			const doneA = await waitUntilFinished(own, a.exec.id, 150_000);
			expect({ status: doneA.status, why: describeExecution(doneA) }).toMatchObject({
				status: 'success',
			});
			const finals = (await s.callbacksSettled()).filter(
				(c) => c.taskId === a.task.id && c.event === 'final',
			);
			expect(finals[finals.length - 1].status).toBe(200);
			expect(finals.length).toBeGreaterThan(1);
			const [outA] = lastJson(doneA, 'After');
			expect(outA).toMatchObject({
				provider: 'liangxin',
				taskId: a.task.id,
				status: 'succeeded',
				timedOut: false,
			});

			// B: no callback ever; n8n's WaitTracker resumes it at its timeout with the parked task
			const doneB = await waitUntilFinished(own, b.exec.id, 90_000);
			expect({ status: doneB.status, why: describeExecution(doneB) }).toMatchObject({
				status: 'success',
			});
			const [outB] = lastJson(doneB, 'After');
			expect(outB).toMatchObject({ provider: 'useapi', taskId: b.task.id, timedOut: true });
			expect(['queued', 'running']).toContain(outB.status);
		}, 300_000); // a restart, a retried callback and n8n's 60 s WaitTracker round: over 180 s on a loaded machine
	});
});
