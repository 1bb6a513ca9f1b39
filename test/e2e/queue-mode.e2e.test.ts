/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * The package in a real n8n queue-mode deployment: main (EXECUTIONS_MODE=queue) + two `n8n worker` processes,
 * private Redis and PostgreSQL, every n8n process on its own user folder with the package installed
 * (test/n8n/queue.ts, test/n8n/queue-services.ts). Nothing may depend on process memory between executions:
 *   1. a production webhook on main → the render (Create, Poll Until Done, MP4 as binary) runs on a worker and the
 *      MP4, stored in n8n's database (queue mode's binary default), reads back through main's API;
 *   2. "Until Callback": the execution parks as `waiting` on a worker, that worker is stopped, the provider's
 *      callback reaches main's /webhook-waiting/…, and the resumed run is a new job on the other worker.
 * Redis and PostgreSQL come from Debian packages (scripts/queue-services.sh installs them as root when missing);
 * without them the file is skipped with a warning. ACT_TWO_E2E_QUEUE=0 skips it too.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT, type BinaryRef, type Execution, type N8nInstance } from '../n8n/instance';
import { startQueueN8n, type QueueDeployment } from '../n8n/queue';
import {
	queueServiceBinaries,
	startQueueServices,
	type QueueServices,
} from '../n8n/queue-services';
import { KEYS, startSimulator, type SimTask, type Simulator } from '../simulator/index';
import {
	E2E_DIR,
	PROVIDER_CREDENTIALS,
	readE2eInfo,
	uniqueWebhookPath,
	type Provider,
} from './context';
import {
	actTwo,
	createParams,
	deploy,
	describeExecution,
	noOp,
	webhookTrigger,
	workflow,
	type CredentialRef,
} from './workflows/build';

const OUTPUT_MP4 = readFileSync(join(REPO_ROOT, 'examples', 'assets', 'output.mp4'));
const tailOf = (file: string, lines = 15) =>
	existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';

const bins = process.env.ACT_TWO_E2E_QUEUE === '0' ? null : queueServiceBinaries();
const skipReason =
	bins === null ? 'ACT_TWO_E2E_QUEUE=0' : 'missing' in bins ? bins.missing : undefined;
if (skipReason)
	console.warn(
		`\n!!!!! queue-mode e2e tests SKIPPED: Redis/PostgreSQL unavailable (${skipReason}).\n` +
			'!!!!! Run as root (or with passwordless sudo) so scripts/queue-services.sh can apt-get install redis-server postgresql.\n',
	);
const describeQueue = skipReason ? describe.skip : describe;

/**
 * The callback test's simulator renders for 20 s: long enough to see the execution parked, stop the worker
 * that parked it (a few seconds) and only then call back; failed deliveries are retried (1 s, doubling).
 */
const SLOW = { queuedMs: 500, runningMs: 20_000, progressSteps: 2 };
const RETRY = { attempts: 10, baseDelayMs: 1000 };

describeQueue('n8n queue mode (main + 2 workers, Redis, PostgreSQL)', () => {
	let services: QueueServices | undefined;
	let q: QueueDeployment | undefined;
	let fast: Simulator | undefined;
	let slow: Simulator | undefined;
	const t0 = Date.now();
	const log = (msg: string) =>
		console.log(`[queue-mode +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

	beforeAll(async () => {
		const tarball = readE2eInfo().package.tarball;
		if (!tarball) throw new Error('no package tarball in this e2e run (ACT_TWO_E2E_PACKAGE=0?)');
		if (!bins || 'missing' in bins) throw new Error('unreachable: skipped above');
		services = await startQueueServices(bins);
		log(`redis :${services.redis.port}, postgres :${services.postgres.port} (${services.dir})`);
		[fast, slow] = await Promise.all([
			startSimulator(),
			startSimulator({ timing: SLOW, callbackRetry: RETRY }),
		]);
		q = await startQueueN8n({ services, tarball, workers: 2 });
		log(`main ${q.main.baseUrl} + ${q.workers.map((w) => w.name).join(', ')} ready`);
	}, 420_000);

	afterAll(async () => {
		// the logs outlive the run in .n8n-e2e/queue-mode/ (main's tells what it enqueued, each worker's what it ran)
		const logs = join(E2E_DIR, 'queue-mode');
		mkdirSync(logs, { recursive: true });
		for (const [name, file] of [
			['main', q?.main.logFile],
			...(q?.workers ?? []).map((w) => [w.name, w.logFile]),
			['postgres', services?.postgres.logFile],
			['redis', services?.redis.logFile],
		])
			if (file && existsSync(file)) copyFileSync(file, join(logs, `${name}.log`));
		await q?.destroy();
		await services?.stop();
		await fast?.close();
		await slow?.close();
		log('stopped');
	}, 120_000);

	async function credentialFor(provider: Provider, s: Simulator): Promise<CredentialRef> {
		const type = PROVIDER_CREDENTIALS[provider];
		const name = `${provider} (queue simulator ${s.url})`;
		const id = await q!.main.createCredential(name, type, {
			apiKey: KEYS[provider],
			baseUrl: s.baseUrls[provider],
		});
		return { [type]: { id, name } };
	}

	/** Webhook → Render (Act-Two Create) → After; published on main and started through its production URL. */
	async function startRender(
		provider: Provider,
		s: Simulator,
		params: Record<string, unknown>,
	): Promise<{ workflowId: string }> {
		const path = uniqueWebhookPath(`queue-${provider}`);
		const urls = { character: s.staticUrl('character.png'), driving: s.staticUrl('driving.mp4') };
		const wf = workflow(
			`queue mode ${provider}`,
			[
				webhookTrigger(path),
				actTwo(
					'Render',
					await credentialFor(provider, s),
					createParams(provider, urls, params),
					[1, 0],
				),
				noOp('After', [2, 0]),
			],
			[
				['Webhook', 'Render'],
				['Render', 'After'],
			],
		);
		const workflowId = await deploy(q!.main, wf);
		const res = await q!.main.runViaWebhook(path, {});
		expect(res.status).toBe(200);
		return { workflowId };
	}

	/** The workflow's execution once it is settled (success, error, waiting…). */
	async function firstExecution(workflowId: string): Promise<Execution> {
		return await q!.main.waitForExecution((e) => e.workflowId === workflowId, {
			workflowId,
			timeoutMs: 60_000,
		});
	}

	async function finished(id: string, timeoutMs: number): Promise<Execution> {
		return await q!.main.waitForExecution(id, {
			timeoutMs,
			statuses: ['success', 'error', 'crashed', 'canceled'],
		});
	}

	/** The execution's status; a mismatch shows why (last node, error) and the tail of each worker's log. */
	function expectStatus(exec: Execution, status: string) {
		if (exec.status === status) return;
		const logs = q!.workers.map((w) => `--- ${w.name}:\n${tailOf(w.logFile)}`).join('\n');
		expect(`${describeExecution(exec)}\n${logs}`).toBe(`execution ${exec.id} ${status}`);
	}

	/** The last run of a node (a resumed node has its waiting run and its resumed run). */
	function lastItem(exec: Execution, nodeName: string) {
		const runs = exec.data?.resultData.runData[nodeName] ?? [];
		return runs[runs.length - 1]?.data?.main[0]?.[0];
	}

	/** A binary's bytes as the editor downloads them: main's GET /rest/binary-data with the owner's session. */
	async function binaryBytes(
		main: N8nInstance,
		ref: BinaryRef,
	): Promise<{ type: string; bytes: Buffer }> {
		const login = await fetch(`${main.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': 'queue-e2e' },
			body: JSON.stringify({ emailOrLdapLoginId: main.owner.email, password: main.owner.password }),
		});
		expect(login.status).toBe(200);
		const cookie = login.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.join('; ');
		const q2 = new URLSearchParams({ id: String(ref.id), action: 'download' });
		const res = await fetch(`${main.baseUrl}/rest/binary-data?${q2.toString()}`, {
			headers: { cookie, 'browser-id': 'queue-e2e' },
		});
		const bytes = Buffer.from(await res.arrayBuffer());
		expect({ status: res.status, body: res.ok ? '' : bytes.toString('utf8', 0, 300) }).toEqual({
			status: 200,
			body: '',
		});
		return { type: res.headers.get('content-type') ?? '', bytes };
	}

	it('a render started by a production webhook on main runs on a worker and ends with the MP4, stored in the database', async () => {
		const { workflowId } = await startRender('runway', fast!, {
			output: 'binary',
			binaryPropertyName: 'video',
		});
		const exec = await firstExecution(workflowId);
		expectStatus(exec, 'success');
		expect(exec.mode).toBe('webhook');

		// main enqueued it; exactly one worker took that job
		const jobs = q!.enqueued(exec.id);
		expect(jobs).toHaveLength(1);
		expect(q!.workerRuns(exec.id)).toEqual([
			{ process: expect.stringMatching(/^worker-/), jobId: jobs[0] },
		]);

		const item = lastItem(exec, 'After')!;
		const task = fast!.tasks().find((t) => t.provider === 'runway')!;
		expect(item.json).toMatchObject({
			provider: 'runway',
			taskId: task.id,
			status: 'succeeded',
			timedOut: false,
		});
		const video = item.binary?.video;
		expect(video).toMatchObject({ mimeType: 'video/mp4' });
		expect(video!.fileName).toMatch(/\.mp4$/);
		// queue mode keeps binaries in the database (main and workers share no disk here)
		expect(String(video!.id)).toMatch(/^database:/);
		const { type, bytes } = await binaryBytes(q!.main, video!);
		expect(type).toMatch(/^video\/mp4/);
		expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
		expect(bytes.equals(OUTPUT_MP4)).toBe(true);
		await q!.main.unpublish(workflowId);
	});

	it('"Until Callback": parked as waiting by one worker, that worker stopped, the callback to main resumes it as a new job on the other worker', async () => {
		const s = slow!;
		// useapi.net: the task; LiangXin: the MP4 (downloaded by the resume webhook on main)
		const started = await Promise.all([
			startRender('useapi', s, {
				waitForCompletion: 'callback',
				output: 'task',
				createOptions: { replyRef: 'queue-1' },
				options: { timeoutMinutes: 10 },
			}),
			startRender('liangxin', s, {
				waitForCompletion: 'callback',
				output: 'binary',
				binaryPropertyName: 'video',
				options: { timeoutMinutes: 10 },
			}),
		]);
		const parked = await Promise.all(
			started.map(async ({ workflowId }) => await firstExecution(workflowId)),
		);
		const [useapi, liangxin] = parked;
		for (const exec of parked) {
			expectStatus(exec, 'waiting');
			expect(q!.enqueued(exec.id)).toHaveLength(1);
			expect(q!.workerRuns(exec.id)).toHaveLength(1);
		}
		const taskOf = (provider: Provider, exec: Execution): SimTask => {
			const t = s
				.tasks()
				.find(
					(x) => x.provider === provider && x.callbackUrl?.includes(`/webhook-waiting/${exec.id}?`),
				);
			if (!t) throw new Error(`no ${provider} task calls back execution ${exec.id}`);
			// the callback goes to main, the only process with an HTTP server
			expect(t.callbackUrl).toMatch(
				new RegExp(`^${q!.main.baseUrl}/webhook-waiting/${exec.id}\\?signature=[0-9a-f]{32,}$`),
			);
			return t;
		};
		const tasks = { useapi: taskOf('useapi', useapi), liangxin: taskOf('liangxin', liangxin) };

		// stop the worker that parked the LiangXin execution: whatever it held in memory is gone
		const parkedBy = q!.workerRuns(liangxin.id)[0].process;
		const gone = q!.workers.find((w) => w.name === parkedBy)!;
		const survivor = q!.workers.find((w) => w.name !== parkedBy)!;
		await gone.stop();
		const stoppedAt = Date.now();
		log(`${gone.name} (parked execution ${liangxin.id}) stopped`);
		expect(gone.running()).toBe(false);
		// both renders still run (their final callbacks are still to come) and both executions still wait
		for (const t of Object.values(tasks))
			expect(s.tasks().find((x) => x.id === t.id)!.phase).toMatch(/^(queued|running)$/);
		for (const exec of parked)
			expect((await q!.main.api<Execution>('GET', `/executions/${exec.id}`)).body.status).toBe(
				'waiting',
			);

		const done = await Promise.all(parked.map(async (e) => await finished(e.id, 90_000)));
		for (const exec of done) expectStatus(exec, 'success');
		const callbacks = await s.callbacksSettled();
		for (const [provider, t] of Object.entries(tasks)) {
			const finals = callbacks.filter((c) => c.taskId === t.id && c.event === 'final');
			const accepted = finals.find((c) => c.status === 200);
			expect({ provider, sentAfterStop: (accepted?.at ?? 0) > stoppedAt }).toEqual({
				provider,
				sentAfterStop: true,
			});
		}

		// each resume is a second job, run by the surviving worker
		for (const exec of parked) {
			const jobs = q!.enqueued(exec.id);
			expect(jobs).toHaveLength(2);
			expect(jobs[1]).not.toBe(jobs[0]);
			const runs = q!.workerRuns(exec.id);
			expect(runs).toHaveLength(2);
			expect(runs).toContainEqual({ process: survivor.name, jobId: jobs[1] });
		}
		const lxJobs = q!.enqueued(liangxin.id);
		expect(q!.workerRuns(liangxin.id)).toEqual(
			expect.arrayContaining([
				{ process: gone.name, jobId: lxJobs[0] },
				{ process: survivor.name, jobId: lxJobs[1] },
			]),
		);

		const [useapiDone, liangxinDone] = done;
		expect(lastItem(useapiDone, 'After')!.json).toMatchObject({
			provider: 'useapi',
			taskId: tasks.useapi.id,
			status: 'succeeded',
			timedOut: false,
			replyRef: 'queue-1',
		});
		const lx = lastItem(liangxinDone, 'After')!;
		expect(lx.json).toMatchObject({
			provider: 'liangxin',
			taskId: tasks.liangxin.id,
			status: 'succeeded',
			timedOut: false,
		});
		const video = lx.binary?.video;
		expect(video).toMatchObject({ mimeType: 'video/mp4' });
		expect(String(video!.id)).toMatch(/^database:/);
		const { type, bytes } = await binaryBytes(q!.main, video!);
		expect(type).toMatch(/^video\/mp4/);
		expect(bytes.equals(OUTPUT_MP4)).toBe(true);
		await Promise.all(started.map(async ({ workflowId }) => await q!.main.unpublish(workflowId)));
	}, 240_000);
});
