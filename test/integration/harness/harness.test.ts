/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Proves the harness (test/harness) against a tiny local HTTP server, with the fixture Probe node running inside
 * n8n-core's real WorkflowExecute: credential auth over real HTTP, credential tests, binary streams,
 * continueOnFail / error output, cancellation, wait + resume webhook, trigger webhooks, static data.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import {
	chain,
	harnessTmpDir,
	loadPackage,
	MANUAL_TRIGGER_TYPE,
	node,
	NO_OP_TYPE,
	readBinary,
	resumeWaiting,
	resumeWebhook,
	runTriggerWebhook,
	runWebhookMethod,
	runWorkflow,
	SET_ITEMS_TYPE,
	setItemsParameters,
	startWaitingWebhookServer,
	startWorkflow,
	testCredential,
	type RunOptions,
} from '../../harness';
import { HarnessTestApi } from '../../harness/fixtures/HarnessTestApi.credentials';
import { HarnessProbe, PROBE_TYPE } from '../../harness/fixtures/HarnessProbe.node';
import {
	HarnessProbeTrigger,
	PROBE_TRIGGER_TYPE,
} from '../../harness/fixtures/HarnessProbeTrigger.node';

const envBefore = { ...process.env };

interface Seen {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let callbackMode: 'none' | 'http' = 'none';
const callbackAnswers: Array<{ status: number; body: string }> = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

beforeAll(async () => {
	server = createServer((req, res) => {
		void (async () => {
			const body = await readBody(req);
			seen.push({
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: body.toString('utf8'),
			});
			const url = new URL(req.url ?? '/', 'http://x');
			const send = (status: number, json: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(json));
			};
			if (url.pathname === '/v1/me') {
				const auth = req.headers.authorization;
				if (auth === 'Bearer good') return send(200, { id: 'me' });
				if (auth === 'Bearer teapot') return send(418, { error: 'teapot' });
				return send(401, { error: 'unauthorized' });
			}
			if (url.pathname === '/v1/organization') {
				const ok =
					req.headers.authorization === 'Bearer good' &&
					req.headers['x-runway-version'] !== undefined;
				return ok ? send(200, { creditBalance: 10 }) : send(401, { error: 'unauthorized' });
			}
			if (url.pathname === '/v1/thing') {
				return send(200, {
					authorization: req.headers.authorization ?? null,
					tenant: url.searchParams.get('tenant'),
				});
			}
			if (url.pathname === '/v1/upper' && req.method === 'POST') {
				res.writeHead(200, {
					'content-type': req.headers['content-type'] ?? 'application/octet-stream',
				});
				res.end(Buffer.from(body.toString('utf8').toUpperCase(), 'utf8'));
				return;
			}
			if (url.pathname === '/v1/jobs' && req.method === 'POST') {
				const { callbackUrl } = JSON.parse(body.toString('utf8')) as { callbackUrl: string };
				if (callbackMode === 'http') {
					// Like an eager provider: call back at once (execution still running → n8n answers 409), then retry.
					const post = async (payload: unknown, target = callbackUrl) => {
						const r = await fetch(target, {
							method: 'POST',
							headers: { 'content-type': 'application/json' },
							body: JSON.stringify(payload),
						});
						callbackAnswers.push({ status: r.status, body: await r.text() });
					};
					await post({ status: 'running' });
					setTimeout(() => {
						void (async () => {
							await post(
								{ status: 'done' },
								callbackUrl.replace(/signature=[^&]+/, 'signature=forged'),
							);
							await post({ status: 'running' });
							await post({ status: 'done', url: 'https://cdn/y.mp4' });
							await post({ status: 'done' });
						})();
					}, 50);
				}
				return send(201, { id: 'job-1' });
			}
			if (url.pathname === '/v1/subscriptions' && req.method === 'POST')
				return send(201, { id: 'sub-1' });
			return send(404, { error: 'not found' });
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	seen.length = 0;
	callbackMode = 'none';
	callbackAnswers.length = 0;
});

const base = (): RunOptions => ({
	nodeTypes: { [PROBE_TYPE]: HarnessProbe, [PROBE_TRIGGER_TYPE]: HarnessProbeTrigger },
	credentialTypes: [HarnessTestApi],
	credentials: { harnessTestApi: { apiKey: 'k1', baseUrl, tenant: 't-42' } },
});

const cred = { harnessTestApi: { id: 'c1', name: 'Harness' } };

describe('runWorkflow: real engine, real HTTP', () => {
	test('httpRequestWithAuthentication applies the generic authenticate (headers + qs) per item', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Items', SET_ITEMS_TYPE, setItemsParameters([{ json: { n: 1 } }, { json: { n: 2 } }])),
			node('Probe', PROBE_TYPE, { operation: 'request', path: '/v1/thing' }, { credentials: cred }),
		]);
		const result = await runWorkflow(wf, base());
		expect(result.status).toBe('success');
		expect(result.nodeExecutionOrder).toEqual(['Start', 'Items', 'Probe']);
		expect(result.outputs('Probe').map((i) => i.json)).toEqual([
			{ authorization: 'Bearer k1', tenant: 't-42' },
			{ authorization: 'Bearer k1', tenant: 't-42' },
		]);
		expect(seen.filter((s) => s.url.startsWith('/v1/thing'))).toHaveLength(2);
		expect(seen[0].headers.authorization).toBe('Bearer k1');
	});

	test('pinData on the trigger feeds N items (the engine skips the pinned node)', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Probe', PROBE_TYPE, { operation: 'failWhen' }),
		]);
		wf.pinData = { Start: [{ json: { a: 1 } }, { json: { a: 2 } }] };
		const result = await runWorkflow(wf, base());
		expect(result.status).toBe('success');
		expect(result.outputs('Probe').map((i) => i.json)).toEqual([
			{ a: 1, ok: true },
			{ a: 2, ok: true },
		]);
	});

	test('a node error without continueOnFail ends the run with status error', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node(
				'Probe',
				PROBE_TYPE,
				{ operation: 'request', path: '/v1/missing' },
				{ credentials: cred },
			),
		]);
		const result = await runWorkflow(wf, base());
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/resource you are requesting could not be found|404/i);
		expect(result.runs('Probe')[0].error).toBeDefined();
	});

	test('an unknown node type fails fast with the registered types listed', async () => {
		const wf = chain([node('Start', MANUAL_TRIGGER_TYPE), node('X', 'n8n-nodes-act-two.nope')]);
		await expect(runWorkflow(wf, base())).rejects.toThrow(
			/unknown type "n8n-nodes-act-two.nope".*n8n-nodes-base.manualTrigger/,
		);
	});

	test('missing credentials surface as a node error', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Probe', PROBE_TYPE, { operation: 'request' }, { credentials: cred }),
		]);
		const result = await runWorkflow(wf, { ...base(), credentials: {} });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/no credentials of type "harnessTestApi"/);
	});
});

describe('testCredential (CredentialsTester semantics)', () => {
	test('2xx is OK, non-2xx is an Error, rules and connection errors are honoured', async () => {
		const opts = { credentialTypes: [HarnessTestApi] };
		await expect(
			testCredential('harnessTestApi', { apiKey: 'good', baseUrl }, opts),
		).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen.at(-1)).toMatchObject({ method: 'GET' });
		expect(seen.at(-1)?.url).toBe('/v1/me?tenant=default-tenant');
		expect(seen.at(-1)?.headers.authorization).toBe('Bearer good');

		const bad = await testCredential('harnessTestApi', { apiKey: 'bad', baseUrl }, opts);
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/Unauthorized|401/);

		await expect(
			testCredential('harnessTestApi', { apiKey: 'teapot', baseUrl }, opts),
		).resolves.toEqual({
			status: 'Error',
			message: 'Teapot says no',
		});

		const down = await testCredential(
			'harnessTestApi',
			{ apiKey: 'good', baseUrl: 'http://127.0.0.1:9' },
			opts,
		);
		expect(down.status).toBe('Error');
		expect(down.message).toMatch(/ECONNREFUSED/);
	});

	test("works with the package's own credential classes loaded from source (runwayApi)", async () => {
		await expect(
			testCredential('runwayApi', { apiKey: 'good', baseUrl: `${baseUrl}/` }),
		).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(seen.at(-1)?.url).toBe('/v1/organization');
		const bad = await testCredential('runwayApi', { apiKey: 'nope', baseUrl });
		expect(bad.status).toBe('Error');
	});
});

describe('binary data (BinaryDataService, filesystem mode)', () => {
	test('binary in by stream, out by stream, read back as a Buffer', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node(
				'Items',
				SET_ITEMS_TYPE,
				setItemsParameters([
					{
						json: { n: 1 },
						binary: {
							data: { text: 'hello act-two', mimeType: 'text/plain', fileName: 'clip.txt' },
						},
					},
				]),
			),
			node('Probe', PROBE_TYPE, { operation: 'binaryEcho' }, { credentials: cred }),
		]);
		const result = await runWorkflow(wf, base());
		expect(result.status).toBe('success');
		const [item] = result.outputs('Probe');
		expect(item.json.viaStream).toBe(true);
		expect(item.binary?.data).toMatchObject({ fileName: 'upper-clip.txt', mimeType: 'text/plain' });
		expect(item.binary?.data.id).toMatch(/^filesystem/);
		expect((await readBinary(item)).toString('utf8')).toBe('HELLO ACT-TWO');
		expect(seen.find((s) => s.url.startsWith('/v1/upper'))?.body).toBe('hello act-two');
	});
});

describe('node settings: continueOnFail / onError', () => {
	const items = setItemsParameters([
		{ json: { fail: false } },
		{ json: { fail: true } },
		{ json: { fail: false } },
	]);

	test("onError 'continueErrorOutput' routes failed items to the error output", async () => {
		const wf = chain(
			[
				node('Start', MANUAL_TRIGGER_TYPE),
				node('Items', SET_ITEMS_TYPE, items),
				node('Probe', PROBE_TYPE, { operation: 'failWhen' }, { onError: 'continueErrorOutput' }),
				node('OK', NO_OP_TYPE),
				node('Errors', NO_OP_TYPE),
			],
			{
				Probe: {
					main: [
						[{ node: 'OK', type: 'main', index: 0 }],
						[{ node: 'Errors', type: 'main', index: 0 }],
					],
				},
				OK: { main: [[]] },
			},
		);
		const result = await runWorkflow(wf, base());
		expect(result.status).toBe('success');
		expect(result.outputs('Probe', 0)).toHaveLength(2);
		expect(result.outputs('Probe', 1)).toHaveLength(1);
		expect(result.outputs('Probe', 1)[0].json.error).toBe('Item 1 asked to fail');
		expect(result.outputs('Errors')).toHaveLength(1);
		expect(result.outputs('OK')).toHaveLength(2);
	});

	test("onError 'continueRegularOutput' keeps error items on the main output", async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Items', SET_ITEMS_TYPE, items),
			node('Probe', PROBE_TYPE, { operation: 'failWhen' }, { onError: 'continueRegularOutput' }),
		]);
		const result = await runWorkflow(wf, base());
		expect(result.status).toBe('success');
		expect(result.outputs('Probe').map((i) => i.json.error ?? 'ok')).toEqual([
			'ok',
			'Item 1 asked to fail',
			'ok',
		]);
	});

	test('legacy continueOnFail: true behaves like continueRegularOutput', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Items', SET_ITEMS_TYPE, items),
			node('Probe', PROBE_TYPE, { operation: 'failWhen' }, { continueOnFail: true }),
		]);
		const result = await runWorkflow(wf, base());
		expect(result.outputs('Probe')).toHaveLength(3);
	});
});

describe('cancellation', () => {
	const sleepy = () =>
		chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Probe', PROBE_TYPE, { operation: 'sleep', ms: 30_000 }),
			node('After', NO_OP_TYPE),
		]);

	test('aborting the signal cancels the run and aborts getExecutionCancelSignal() mid-sleep', async () => {
		const controller = new AbortController();
		const started = Date.now();
		const handle = await startWorkflow(sleepy(), { ...base(), abortSignal: controller.signal });
		setTimeout(() => controller.abort(), 300);
		const result = await handle.result;
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(5000);
		expect(result.runs('After')).toHaveLength(0);
		expect(result.outputs('Probe')).toEqual([]);
		// The node saw the abort: its sleep rejected long before 30 s (the engine recorded the rejection).
		expect(result.runs('Probe')[0].error?.message).toBe('Execution was cancelled');
	});

	test('timeoutMs cancels too, and handle.cancel() works', async () => {
		const timed = await runWorkflow(sleepy(), { ...base(), timeoutMs: 200 });
		expect(timed.status).toBe('canceled');
		expect(timed.timedOut).toBe(true);

		const handle = await startWorkflow(sleepy(), base());
		setTimeout(() => handle.cancel(), 100);
		const result = await handle.result;
		expect(result.status).toBe('canceled');
		expect(result.timedOut).toBe(false);
	});
	test('a node that ignores the signal: the result comes from the cancel hook after cancelGraceMs', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Probe', PROBE_TYPE, { operation: 'sleepIgnoringCancel', ms: 800 }),
			node('After', NO_OP_TYPE),
		]);
		const started = Date.now();
		const result = await runWorkflow(wf, { ...base(), timeoutMs: 100, cancelGraceMs: 100 });
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(700);
		expect(result.runs('After')).toHaveLength(0);
		await new Promise((resolve) => setTimeout(resolve, 800)); // let the stray node finish before the next test
	});
});

describe('wait and resume', () => {
	const waitingWorkflow = () =>
		chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Probe', PROBE_TYPE, { operation: 'wait', ms: 60_000 }, { credentials: cred }),
			node('After', NO_OP_TYPE),
		]);

	test('putExecutionToWait ends the run as waiting, with waitTill and the resume URL the provider got', async () => {
		const before = Date.now();
		const result = await runWorkflow(waitingWorkflow(), base());
		expect(result.status).toBe('waiting');
		expect(result.waitTill?.getTime()).toBeGreaterThanOrEqual(before + 59_000);
		expect(result.resumeUrl).toMatch(
			new RegExp(
				`^http://localhost:5678/webhook-waiting/${result.executionId}\\?signature=[0-9a-f]{64}$`,
			),
		);
		const job = seen.find((s) => s.url.startsWith('/v1/jobs'));
		expect(JSON.parse(job!.body)).toEqual({
			callbackUrl: result.resumeUrl,
			executionId: result.executionId,
		});
		expect(result.outputs('Probe')[0].json.resumeUrl).toBe(result.resumeUrl);
		expect(result.runs('After')).toHaveLength(0);
	});

	test('resumeWebhook: interim callback keeps waiting, final callback resumes and runs downstream', async () => {
		const waiting = await runWorkflow(waitingWorkflow(), base());
		const interim = await resumeWebhook(waiting, { body: { status: 'running' } });
		expect(interim.response.webhookResponse).toEqual({ ok: true, waiting: true });
		expect(interim.run).toBeUndefined();

		const body = { status: 'done', url: 'https://cdn/x.mp4' };
		const final = await resumeWebhook(waiting, { body });
		expect(final.response.webhookResponse).toEqual({ ok: true });
		expect(final.run?.status).toBe('success');
		expect(final.run?.executionId).toBe(waiting.executionId);
		const expected = { callback: body, rawLength: Buffer.byteLength(JSON.stringify(body)) };
		expect(final.run?.outputs('Probe').map((i) => i.json)).toEqual([expected]);
		expect(final.run?.outputs('After').map((i) => i.json)).toEqual([expected]);
	});

	test('startWaitingWebhookServer: the provider calls $execution.resumeUrl over real HTTP (409/401/200 like n8n)', async () => {
		const hooks = await startWaitingWebhookServer();
		try {
			callbackMode = 'http';
			const waiting = await runWorkflow(waitingWorkflow(), { ...base(), ...hooks.runOptions() });
			expect(waiting.status).toBe('waiting');
			expect(
				waiting.resumeUrl.startsWith(
					`${hooks.baseUrl}webhook-waiting/${waiting.executionId}?signature=`,
				),
			).toBe(true);
			const done = await hooks.waitForStatus(waiting.executionId, ['success', 'error'], 10_000);
			expect(done.status).toBe('success');
			expect(done.outputs('After').map((i) => i.json.callback)).toEqual([
				{ status: 'done', url: 'https://cdn/y.mp4' },
			]);
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(callbackAnswers.map((a) => a.status)).toEqual([409, 401, 200, 200, 409]);
			expect(JSON.parse(callbackAnswers[2].body)).toEqual({ ok: true, waiting: true });
		} finally {
			await hooks.close();
		}
	});

	test('resumeWaiting (timer resume) passes the waiting node input through', async () => {
		const waiting = await runWorkflow(waitingWorkflow(), base());
		const resumed = await resumeWaiting(waiting);
		expect(resumed.status).toBe('success');
		expect(resumed.outputs('After')).toEqual([expect.objectContaining({ json: {} })]);
	});
});

describe('trigger webhooks', () => {
	const triggerWorkflow = () =>
		chain([
			node('Probe Trigger', PROBE_TRIGGER_TYPE, {}, { credentials: cred, webhookId: 'wh-1' }),
			node('After', NO_OP_TYPE),
		]);

	test('runTriggerWebhook calls webhook() with a real WebhookContext and runs the workflow', async () => {
		const staticData = {};
		const opts = { ...base(), staticData, execute: true };
		const request = {
			path: 'probe-events',
			headers: { 'X-Api-Key': 'k1' },
			body: { kind: 'task.succeeded' },
			query: { a: '1' },
		};
		const first = await runTriggerWebhook(triggerWorkflow(), 'Probe Trigger', request, opts);
		expect(first.response.webhookResponse).toEqual({ received: true });
		expect(first.workflowData?.[0][0].json).toEqual({
			event: { kind: 'task.succeeded' },
			query: { a: '1' },
			deliveries: 1,
		});
		expect(first.run?.status).toBe('success');
		expect(first.run?.outputs('After')[0].json.deliveries).toBe(1);

		const second = await runTriggerWebhook(triggerWorkflow(), 'Probe Trigger', request, opts);
		expect(second.workflowData?.[0][0].json.deliveries).toBe(2);
		expect(second.run?.staticData).toEqual({ 'node:Probe Trigger': { deliveries: 2 } });
	});

	test('runWebhookMethod runs webhookMethods with a real HookContext (URL, credentials, static data)', async () => {
		const staticData = {};
		const opts = { ...base(), staticData };
		await expect(
			runWebhookMethod(triggerWorkflow(), 'Probe Trigger', 'checkExists', opts),
		).resolves.toMatchObject({
			result: false,
		});
		const created = await runWebhookMethod(triggerWorkflow(), 'Probe Trigger', 'create', opts);
		expect(created.result).toBe(true);
		expect(created.webhookUrl).toBe('http://localhost:5678/webhook-test/wh-1/probe-events');
		const sub = seen.find((s) => s.url.startsWith('/v1/subscriptions'));
		expect(sub?.headers.authorization).toBe('Bearer k1');
		expect(JSON.parse(sub!.body)).toEqual({ url: created.webhookUrl });
		expect(created.staticData).toEqual({ 'node:Probe Trigger': { subscriptionId: 'sub-1' } });
		const prod = await runWebhookMethod(triggerWorkflow(), 'Probe Trigger', 'checkExists', {
			...opts,
			mode: 'webhook',
		});
		expect(prod).toMatchObject({
			result: true,
			webhookUrl: 'http://localhost:5678/webhook/wh-1/probe-events',
		});
	});

	test('a node answering on the raw response (401) with noWebhookResponse', async () => {
		const result = await runTriggerWebhook(
			triggerWorkflow(),
			'Probe Trigger',
			{ path: 'probe-events', headers: { 'x-api-key': 'wrong' }, body: {} },
			base(),
		);
		expect(result.response).toEqual({ noWebhookResponse: true });
		expect(result.httpResponse).toMatchObject({ statusCode: 401, body: { error: 'bad key' } });
		expect(result.run).toBeUndefined();
	});
});

describe('execution id, static data, $execution.resumeUrl', () => {
	test('static data persists across runs sharing a staticData object; ids and URLs are per execution', async () => {
		const wf = chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Probe', PROBE_TYPE, { operation: 'info' }),
		]);
		const staticData = {};
		const first = await runWorkflow(wf, { ...base(), staticData });
		const second = await runWorkflow(wf, {
			...base(),
			staticData,
			instanceBaseUrl: 'https://n8n.example.com/',
		});
		const [a, b] = [first.outputs('Probe')[0].json, second.outputs('Probe')[0].json];
		expect(a.calls).toBe(1);
		expect(b.calls).toBe(2);
		expect(a.executionId).toBe(first.executionId);
		expect(b.executionId).not.toBe(a.executionId);
		expect(a.mode).toBe('manual');
		expect(a.resumeUrl).toBe(first.resumeUrl);
		expect(b.resumeUrl).toMatch(
			new RegExp(`^https://n8n\\.example\\.com/webhook-waiting/${second.executionId}\\?signature=`),
		);
		expect(second.staticData).toEqual({ 'node:Probe': { calls: 2 } });
	});

	test('n8n-core env is applied only while the harness builds its services', () => {
		expect(process.env.N8N_USER_FOLDER).toBe(envBefore.N8N_USER_FOLDER);
		expect(process.env.N8N_BINARY_DATA_STORAGE_PATH).toBe(envBefore.N8N_BINARY_DATA_STORAGE_PATH);
		expect(existsSync(path.join(harnessTmpDir, 'binaryData'))).toBe(true);
	});

	test('the package source loader registers what compiles and reports the rest', () => {
		const loaded = loadPackage();
		for (const { typeName } of loaded.nodes) expect(typeName).toMatch(/^n8n-nodes-act-two\./);
		expect(Array.isArray(loaded.errors)).toBe(true);
	});
});
