/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * The package in a real n8n queue-mode deployment, in the production topology: main (EXECUTIONS_MODE=queue,
 * N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true: editor and API only), two `n8n webhook` processes serving production
 * and waiting webhooks (N8N_WEBHOOK_URL of every process points at the first, as at a load balancer in production) and
 * two `n8n worker` processes, on private Redis and PostgreSQL. Every n8n process has its own user folder with the
 * package installed (test/n8n/queue.ts, test/n8n/queue-services.ts). Nothing may depend on process memory
 * between executions, nor on which process took a request:
 *   1. a production webhook on the webhook process (main answers 404) → the render (Create, Poll Until Done, MP4
 *      as binary) runs on a worker and the MP4, stored in n8n's database (queue mode's binary default), reads
 *      back through main's API;
 *   2. the Act-Two Trigger's production URL on the webhook process: the simulator's real callback passes the
 *      trigger's checks there (secret, the provider's API read with the credential, the MP4 downloaded into the
 *      database) and starts one execution that runs on a worker and reads the same MP4 back; forged calls get
 *      401/403/400 and start nothing, a repeated delivery is recognised (the trigger's static data, saved by
 *      the webhook process). n8n's editor cannot download that MP4 in queue mode (an n8n limitation, pinned
 *      in the test);
 *   3. "Until Callback": `$execution.resumeUrl` (built on a worker) points at the webhook process; the execution
 *      parks as `waiting` on a worker, that worker is stopped, progress callbacks to the webhook process keep it
 *      waiting and enqueue nothing, the final callback resumes it as a new job (enqueued by the webhook process)
 *      on the other worker.
 * Which process took a request and which ran a job is read from n8n's own log lines (test/n8n/queue.ts).
 * Redis and PostgreSQL come from Debian packages (scripts/queue-services.sh installs them as root when missing);
 * without them the file is skipped with a warning. ACT_TWO_E2E_QUEUE=0 skips it too.
 * ACT_TWO_E2E_QUEUE_WEBHOOK_PACKAGE=0 starts the webhook process without the package (the tests must fail then).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	n8nAtLeast,
	REPO_ROOT,
	resolveRuntime,
	type BinaryRef,
	type Execution,
	type N8nInstance,
} from '../n8n/instance';
import { startQueueN8n, type QueueDeployment } from '../n8n/queue';
import {
	queueServiceBinaries,
	startQueueServices,
	type QueueServices,
} from '../n8n/queue-services';
import { KEYS, startSimulator, type SimTask, type Simulator } from '../simulator/index';
import {
	E2E_DIR,
	post,
	PROVIDER_CREDENTIALS,
	readE2eInfo,
	uniqueWebhookPath,
	type Provider,
} from './context';
import {
	ACT_TWO_TRIGGER,
	actTwo,
	createParams,
	deploy,
	describeExecution,
	executionsOf,
	node,
	noOp,
	sleep,
	until,
	webhookTrigger,
	workflow,
	type CredentialRef,
} from './workflows/build';
import { finishedRender } from './workflows/renders';

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
 * useapi calls back with progress at 0.5, 5.5, 10.5 and 15.5 s: the later ones after the worker stopped.
 */
const SLOW = { queuedMs: 500, runningMs: 20_000, progressSteps: 4 };
const RETRY = { attempts: 10, baseDelayMs: 1000 };

describeQueue('n8n queue mode (main + 2 webhook processes + 2 workers, Redis, PostgreSQL)', () => {
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
		q = await startQueueN8n({
			services,
			tarball,
			workers: 2,
			webhookProcesses: 2,
			webhookPackage: process.env.ACT_TWO_E2E_QUEUE_WEBHOOK_PACKAGE !== '0',
		});
		log(
			`main ${q.main.baseUrl}, webhook ${q.webhookUrl} + ${q.workers.map((w) => w.name).join(', ')} ready`,
		);
	}, 420_000);

	afterAll(async () => {
		// the logs outlive the run in .n8n-e2e/queue-mode/ (main's tells what it enqueued, each worker's what it ran)
		const logs = join(E2E_DIR, 'queue-mode');
		mkdirSync(logs, { recursive: true });
		for (const [name, file] of [
			['main', q?.main.logFile],
			[q?.webhook?.name, q?.webhook?.logFile],
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

	/** Webhook → Render (Act-Two Create) → After; published on main, started through the webhook process. */
	async function startRender(
		provider: Provider,
		s: Simulator,
		params: Record<string, unknown>,
	): Promise<{ workflowId: string; path: string }> {
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
		await expectStarted(path);
		return { workflowId, path };
	}

	/** POSTs to a Webhook trigger's production URL (the webhook process): n8n answers that the run started. */
	async function expectStarted(path: string): Promise<void> {
		const res = await q!.runViaWebhook(path, {});
		expect({ status: res.status, body: res.body }).toEqual({
			status: 200,
			body: { message: 'Workflow was started' },
		});
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

	/** The editor's download of a binary: main's GET /rest/binary-data with the owner's session. */
	async function editorDownload(
		main: N8nInstance,
		ref: BinaryRef,
	): Promise<{ status: number; type: string; bytes: Buffer }> {
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
		return { status: res.status, type: res.headers.get('content-type') ?? '', bytes };
	}

	/** A binary's bytes as the editor downloads them (which must work). */
	async function binaryBytes(
		main: N8nInstance,
		ref: BinaryRef,
	): Promise<{ type: string; bytes: Buffer }> {
		const { status, type, bytes } = await editorDownload(main, ref);
		expect({ status, body: status === 200 ? '' : bytes.toString('utf8', 0, 300) }).toEqual({
			status: 200,
			body: '',
		});
		return { type, bytes };
	}

	it('a render started by a production webhook on the webhook process (main answers 404) runs on a worker and ends with the MP4, stored in the database', async () => {
		const { workflowId, path } = await startRender('runway', fast!, {
			output: 'binary',
			binaryPropertyName: 'video',
		});
		const exec = await firstExecution(workflowId);
		expectStatus(exec, 'success');
		expect(exec.mode).toBe('webhook');

		// the webhook process enqueued it; exactly one worker took that job
		const jobs = q!.enqueued(exec.id);
		expect(q!.enqueuedBy(exec.id)).toEqual([{ process: q!.webhook!.name, jobId: jobs[0] }]);
		expect(q!.workerRuns(exec.id)).toEqual([
			{ process: expect.stringMatching(/^worker-/), jobId: jobs[0] },
		]);
		// main does not serve production webhooks (N8N_DISABLE_PRODUCTION_MAIN_PROCESS) and starts nothing
		const before = q!.allEnqueued().length;
		const onMain = await q!.main.runViaWebhook(path, {});
		expect({ status: onMain.status, body: String(onMain.body) }).toEqual({
			status: 404,
			body: expect.stringContaining(`Cannot POST /webhook/${path}`),
		});
		await sleep(1000);
		expect(q!.allEnqueued()).toHaveLength(before);

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

	it("Act-Two Trigger: the provider's callback to the webhook process starts one execution, run on a worker; forged calls are rejected there and start nothing", async () => {
		const s = fast!;
		const credentials = await credentialFor('useapi', s);
		const secret = randomBytes(18).toString('base64url');
		const webhookId = randomUUID();
		const triggerWfId = await deploy(
			q!.main,
			workflow(
				'queue trigger useapi',
				[
					node(
						'Act-Two Trigger',
						ACT_TWO_TRIGGER,
						{
							provider: 'useapi',
							secret,
							events: 'finished',
							options: { confirm: true, download: true, binaryPropertyName: 'video' },
						},
						[0, 0],
						{ webhookId, credentials },
					),
					// reads the MP4 the trigger downloaded (on the webhook process) back on the worker, as base64
					node(
						'Read Video',
						'n8n-nodes-base.extractFromFile',
						{ operation: 'binaryToPropery', binaryPropertyName: 'video', options: {} },
						[1, 0],
					),
				],
				[['Act-Two Trigger', 'Read Video']],
			),
		);
		const triggerUrl = `${q!.webhookUrl}/webhook/${webhookId}/act-two`;

		// an Act-Two node starts the render with the trigger's production URL as its Callback URL
		const path = uniqueWebhookPath('queue-trigger-sender');
		const urls = { character: s.staticUrl('character.png'), driving: s.staticUrl('driving.mp4') };
		const senderId = await deploy(
			q!.main,
			workflow(
				'queue trigger sender useapi',
				[
					webhookTrigger(path),
					actTwo(
						'Start Render',
						credentials,
						createParams('useapi', urls, {
							waitForCompletion: 'none',
							createOptions: {
								callbackUrl: `${triggerUrl}?secret=${secret}`,
								replyRef: 'order-42',
							},
						}),
						[1, 0],
					),
				],
				[['Webhook', 'Start Render']],
			),
		);
		await expectStarted(path);
		const sent = await firstExecution(senderId);
		expectStatus(sent, 'success');
		const taskId = String(lastItem(sent, 'Start Render')!.json.taskId);
		expect(s.tasks().find((t) => t.id === taskId)?.callbackUrl).toBe(
			`${triggerUrl}?secret=${secret}`,
		);

		// the simulator's final callback reaches the trigger on the webhook process and is accepted
		const finalCallback = await until(
			'the final callback to be answered 200',
			async () =>
				s.callbacks().find((c) => c.taskId === taskId && c.event === 'final' && c.status === 200),
			30_000,
		);
		const exec = await firstExecution(triggerWfId);
		expectStatus(exec, 'success');
		expect(exec.mode).toBe('webhook');
		// the webhook process enqueued it (main logged nothing about it), one worker ran it
		const jobs = q!.enqueued(exec.id);
		expect(q!.enqueuedBy(exec.id)).toEqual([{ process: q!.webhook!.name, jobId: jobs[0] }]);
		expect(q!.workerRuns(exec.id)).toEqual([
			{ process: expect.stringMatching(/^worker-/), jobId: jobs[0] },
		]);

		// the normalized task, confirmed with the provider's API from the webhook process, and its MP4
		const item = lastItem(exec, 'Act-Two Trigger')!;
		expect(item.json).toMatchObject({
			provider: 'useapi',
			taskId,
			status: 'succeeded',
			replyRef: 'order-42',
			confirmed: true,
		});
		expect(String(item.json.videoUrl)).toMatch(/\/files\/[^/?]+\.mp4(\?.*)?$/);
		expect(item.json.callback).toEqual(finalCallback.body);
		const video = item.binary?.video;
		expect(video).toMatchObject({ mimeType: 'video/mp4' });
		expect(video!.fileName).toMatch(/\.mp4$/);
		expect(String(video!.id)).toMatch(/^database:/);
		// stored in the database by the webhook process, read by the worker: the same bytes
		const read = lastItem(exec, 'Read Video')!.json;
		expect(Buffer.from(String(read.data), 'base64').equals(OUTPUT_MP4)).toBe(true);
		// n8n limitation (not the package's; n8n's own Webhook node's uploads behave the same): in queue
		// mode a binary stored while a webhook request is handled (before the execution exists) keeps
		// `sourceId: 'temp'` in the binary_data table. restoreBinaryDataId(), which attaches it to the execution,
		// runs only in regular mode's save hook and only matches filesystem ids, so the editor's download asks
		// the executions table for id 'temp' and fails with 500 "invalid input syntax for type integer: "NaN""
		// (n8n 2.39); n8n 2.41's access check finds no execution for 'temp' and answers 404 instead.
		// When n8n fixes it this fails: then check the bytes with binaryBytes() as the other tests do.
		const download = await editorDownload(q!.main, video!);
		expect({ status: download.status, body: download.bytes.toString('utf8', 0, 200) }).toEqual(
			n8nAtLeast((await resolveRuntime()).version, '2.41.0')
				? { status: 404, body: '' }
				: {
						status: 500,
						body: expect.stringContaining('invalid input syntax for type integer: \\"NaN\\"'),
					},
		);

		// progress callbacks (useapi sends them) were answered 200 and filtered out
		const callbacks = (await s.callbacksSettled()).filter((c) => c.taskId === taskId);
		expect(callbacks.filter((c) => c.event === 'progress').length).toBeGreaterThan(0);
		expect(callbacks.map((c) => c.status)).toEqual(callbacks.map(() => 200));

		// forged calls, on the webhook process: none starts anything
		const enqueuedBefore = q!.allEnqueued();
		const wrong = await post(`${triggerUrl}?secret=not-${secret}`, finalCallback.body);
		expect(wrong).toEqual({
			status: 401,
			body: { received: false, reason: 'missing or wrong secret' },
		});
		expect((await post(triggerUrl, finalCallback.body)).status).toBe(401);
		// the right secret, a task the provider does not know (read with the credential on the webhook process)
		const unknownId = taskId.replace(/[0-9a-f]{8}-/, '00000000-');
		expect(unknownId).not.toBe(taskId);
		const forged = await post(
			`${triggerUrl}?secret=${secret}`,
			JSON.parse(JSON.stringify(finalCallback.body).split(taskId).join(unknownId)),
		);
		expect(forged.status).toBe(403);
		expect(JSON.stringify(forged.body)).toContain(unknownId);
		expect((await post(`${triggerUrl}?secret=${secret}`, { hello: 'world' })).status).toBe(400);
		// a repeated delivery: the webhook process saved the trigger's static data after the first one
		const again = await post(`${triggerUrl}?secret=${secret}`, finalCallback.body);
		expect(again).toEqual({
			status: 200,
			body: { received: true, started: false, reason: 'duplicate delivery' },
		});
		// main does not serve the trigger's production URL either
		const onMain = await post(
			`${q!.main.baseUrl}/webhook/${webhookId}/act-two?secret=${secret}`,
			finalCallback.body,
		);
		expect(onMain.status).toBe(404);

		await sleep(1500);
		expect(q!.allEnqueued()).toEqual(enqueuedBefore);
		const execs = await executionsOf(q!.main, triggerWfId);
		expect(execs.map((e) => `${e.id}:${e.status}`)).toEqual([`${exec.id}:success`]);
		await q!.main.unpublish(triggerWfId);
		await q!.main.unpublish(senderId);
	});

	it('Act-Two Trigger behind two webhook processes: what is suppressed where (measured)', async () => {
		const s = fast!;
		const [w1, w2] = q!.webhooks;
		const secret = randomBytes(18).toString('base64url');
		const name = `liangxin callback secret (queue ${s.url})`;
		const credentialId = await q!.main.createCredential(name, 'liangXinApi', {
			apiKey: KEYS.liangxin,
			baseUrl: s.baseUrls.liangxin,
			callbackSecret: secret,
		});
		const webhookId = randomUUID();
		const triggerWfId = await deploy(
			q!.main,
			workflow(
				'queue trigger two webhook processes',
				[
					node(
						'Act-Two Trigger',
						ACT_TWO_TRIGGER,
						{ provider: 'liangxin', events: 'finished', options: { confirm: true } },
						[0, 0],
						{ webhookId, typeVersion: 2, credentials: { liangXinApi: { id: credentialId, name } } },
					),
					noOp('Got It', [1, 0]),
				],
				[['Act-Two Trigger', 'Got It']],
			),
		);
		const url = (w: { baseUrl: string }) =>
			`${w.baseUrl}/webhook/${webhookId}/act-two?secret=${secret}`;
		const api = {
			baseUrl: s.baseUrls.liangxin,
			key: KEYS.liangxin,
			character: s.staticUrl('character.png'),
			driving: s.staticUrl('driving.mp4'),
		};
		const renders = await Promise.all(
			Array.from({ length: 10 }, async () => await finishedRender(api)),
		);
		const started = (a: { body: unknown }) => (a.body as { started?: boolean }).started === true;
		const executionsPerTask = async () => {
			await sleep(3000);
			const counts: Record<string, number> = {};
			for (const e of await executionsOf(q!.main, triggerWfId)) {
				const id = String(
					e.data?.resultData.runData['Act-Two Trigger']?.[0]?.data?.main[0]?.[0]?.json.taskId,
				);
				counts[id] = (counts[id] ?? 0) + 1;
			}
			return counts;
		};

		// 1. a repeat reaching the other process after the first delivery was answered: recognised
		for (const [i, gap] of [0, 1000, 5000].entries()) {
			const first = await post(url(w1), renders[i].body);
			await sleep(gap);
			const repeat = await post(url(w2), renders[i].body);
			expect({ gap, first: started(first), repeat: started(repeat) }).toEqual({
				gap,
				first: true,
				repeat: false,
			});
		}
		// 2. 20 simultaneous deliveries on one process: one execution
		const same = await Promise.all(
			Array.from({ length: 20 }, async () => await post(url(w1), renders[3].body)),
		);
		expect(same.filter(started)).toHaveLength(1);
		// 3. 20 simultaneous deliveries split over both processes: at most one per process
		const split = await Promise.all(
			Array.from({ length: 20 }, async (_, i) => await post(url(i % 2 ? w2 : w1), renders[4].body)),
		);
		const splitStarted = split.filter(started).length;
		expect(splitStarted).toBeGreaterThanOrEqual(1);
		expect(splitStarted).toBeLessThanOrEqual(2);
		// 4. first deliveries of different renders at the same moment on both processes, then each repeated on
		// the other process: n8n keeps whichever static-data copy it saved last
		await Promise.all(
			renders.slice(5).map(async (r, i) => await post(url(i % 2 ? w2 : w1), r.body)),
		);
		await sleep(1000);
		const crossRepeats = await Promise.all(
			renders.slice(5).map(async (r, i) => await post(url(i % 2 ? w1 : w2), r.body)),
		);
		const counts = await executionsPerTask();
		log(
			`two webhook processes: 20 simultaneous split over both started ${splitStarted}; ` +
				`${crossRepeats.filter(started).length} of 5 cross-process repeats after concurrent first deliveries started again`,
		);
		for (const r of renders.slice(0, 4)) expect(counts[r.taskId]).toBe(1);
		expect(counts[renders[4].taskId]).toBe(splitStarted);
		await q!.main.unpublish(triggerWfId);
	});

	it('"Until Callback": the resume URL is the webhook process\'s; parked by one worker, that worker stopped, progress callbacks keep it waiting, the final callback resumes it as a new job on the other worker', async () => {
		const s = slow!;
		// useapi.net: the task, with progress callbacks; LiangXin: the MP4 (downloaded by the resume webhook)
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
			// $execution.resumeUrl, built on a worker from N8N_WEBHOOK_URL: the webhook process, not main
			expect(t.callbackUrl).toMatch(
				new RegExp(`^${q!.webhookUrl}/webhook-waiting/${exec.id}\\?signature=[0-9a-f]{32,}$`),
			);
			expect(q!.webhookUrl).not.toBe(q!.main.baseUrl);
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
		const statusOf = async (exec: Execution) =>
			(await q!.main.api<Execution>('GET', `/executions/${exec.id}`)).body.status;
		for (const exec of parked) expect(await statusOf(exec)).toBe('waiting');

		// useapi's progress callbacks reach the webhook process (no worker needed), are answered 200 and keep it waiting
		const progress = await until(
			'a useapi progress callback answered 200 after the worker stopped',
			async () =>
				s
					.callbacks()
					.find(
						(c) =>
							c.taskId === tasks.useapi.id &&
							c.event === 'progress' &&
							c.status === 200 &&
							c.at > stoppedAt,
					),
			30_000,
		);
		expect(progress.url).toBe(tasks.useapi.callbackUrl);
		expect(s.tasks().find((x) => x.id === tasks.useapi.id)!.phase).toBe('running');
		expect(await statusOf(useapi)).toBe('waiting');
		expect(q!.enqueued(useapi.id)).toHaveLength(1);

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

		// every progress event of useapi was answered 200 in the end (the first one, sent 0.5 s into the render,
		// may reach n8n before the execution is stored as waiting: n8n answers 409 and the provider retries)
		const useapiProgress = callbacks.filter(
			(c) => c.taskId === tasks.useapi.id && c.event === 'progress',
		);
		expect(useapiProgress.length).toBeGreaterThan(1);
		const events = new Set(useapiProgress.map((c) => JSON.stringify(c.body)));
		for (const body of events)
			expect({
				body,
				answered: useapiProgress
					.filter((c) => JSON.stringify(c.body) === body)
					.map((c) => c.status),
			}).toEqual({ body, answered: expect.arrayContaining([200]) });
		expect(useapiProgress.map((c) => c.status).filter((st) => st !== 200 && st !== 409)).toEqual(
			[],
		);

		// each resume is a second job, enqueued by the webhook process (progress callbacks enqueued
		// nothing), run by the surviving worker
		for (const exec of parked) {
			const jobs = q!.enqueued(exec.id);
			expect(jobs).toHaveLength(2);
			expect(jobs[1]).not.toBe(jobs[0]);
			expect(q!.enqueuedBy(exec.id)).toEqual(
				jobs.map((jobId) => ({ process: q!.webhook!.name, jobId })),
			);
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
