/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { request } from 'undici';

import { type Simulator, startSimulator } from '../../simulator';
import { FAST, call, provider, receiver, sleep, waitFor } from './helpers';

jest.setTimeout(20000);

describe('simulator: fault injection and HTTP controls', () => {
	let sim: Simulator;
	let runway: ReturnType<typeof provider>;
	const minimal = {
		model: 'act_two',
		character: { type: 'image', uri: 'https://cdn.example.com/c.png' },
		reference: { type: 'video', uri: 'https://cdn.example.com/r.mp4' },
	};

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST });
		runway = provider(sim, 'runway');
	});
	afterAll(() => sim.close());
	beforeEach(() => sim.reset());

	it('status: any status, body and headers, for the given number of requests', async () => {
		sim.faults.add({
			provider: 'runway',
			path: '/v1/organization',
			kind: 'status',
			status: 418,
			body: { error: 'teapot' },
			headers: { 'x-test': '1' },
			times: 1,
		});
		const first = await runway('/v1/organization');
		expect(first.status).toBe(418);
		expect(first.json).toEqual({ error: 'teapot' });
		expect(first.headers.get('x-test')).toBe('1');
		expect((await runway('/v1/organization')).status).toBe(200);
	});

	it('rate_limit: 429 with the provider body, with or without Retry-After', async () => {
		sim.faults.add({ provider: 'runway', kind: 'rate_limit', retryAfter: 3, times: 1 });
		sim.faults.add({ provider: 'useapi', kind: 'rate_limit', times: 1 });
		sim.faults.add({ provider: 'liangxin', kind: 'rate_limit', times: 1 });
		const a = await runway('/v1/character_performance', { body: minimal });
		expect(a.status).toBe(429);
		expect(a.headers.get('retry-after')).toBe('3');
		expect(a.json).toEqual({ error: 'Your daily task limit has been reached.' });
		const b = await provider(sim, 'useapi')('/gen4/act-two', { body: {} });
		expect(b.status).toBe(429);
		expect(b.headers.get('retry-after')).toBeNull();
		expect(b.json.error).toMatch(/too many tasks/);
		const c = await provider(sim, 'liangxin')('/api/v1/jobs/createTask', { body: {} });
		expect(c.json).toMatchObject({ code: 429 });
		expect(sim.tasks()).toHaveLength(0);
	});

	it('server_error: 5xx with the provider error envelope', async () => {
		sim.faults.add({ provider: 'comet', kind: 'server_error', status: 503, times: 1 });
		const res = await provider(sim, 'comet')('/v1/models');
		expect(res.status).toBe(503);
		expect(res.json.error.type).toBe('comet_api_error');
		sim.faults.add({ kind: 'server_error', times: 1 });
		expect((await runway('/v1/organization')).status).toBe(500);
	});

	it('delay: answers normally after the delay', async () => {
		sim.faults.add({ provider: 'runway', kind: 'delay', ms: 300, times: 1 });
		const t0 = Date.now();
		const res = await runway('/v1/organization');
		expect(res.status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
	});

	it('drop before: the socket is destroyed and nothing is created', async () => {
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: /character_performance/,
			kind: 'drop',
			times: 1,
		});
		await expect(
			request(sim.baseUrls.runway + '/v1/character_performance', {
				method: 'POST',
				headers: {
					authorization: 'Bearer ' + sim.keys.runway,
					'x-runway-version': '2024-11-06',
					'content-type': 'application/json',
				},
				body: JSON.stringify(minimal),
			}),
		).rejects.toThrow();
		expect(sim.tasks()).toHaveLength(0);
		expect(sim.requests()[0]).toMatchObject({ status: null, fault: 'drop' });
	});

	it('drop after: the create takes effect, the answer never arrives (the duplicate-create trap)', async () => {
		sim.faults.add({
			provider: 'runway',
			method: 'POST',
			path: '/v1/character_performance',
			kind: 'drop',
			when: 'after',
			times: 1,
		});
		await expect(runway('/v1/character_performance', { body: minimal })).rejects.toThrow();
		expect(sim.tasks()).toHaveLength(1);
	});

	it('malformed_json: a cut JSON body (after the handler ran, by default)', async () => {
		sim.faults.add({ provider: 'liangxin', kind: 'malformed_json', times: 1 });
		const res = await provider(sim, 'liangxin')('/api/v1/jobs/createTask', {
			body: {
				model: 'runway-act-two',
				input: { character: 'https://a.example/c.png', reference: 'https://a.example/r.mp4' },
			},
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/json/);
		expect(() => JSON.parse(res.text)).toThrow();
		expect(sim.tasks()).toHaveLength(1);
		sim.faults.add({ provider: 'runway', kind: 'malformed_json', when: 'before', times: 1 });
		const before = await runway('/v1/character_performance', { body: minimal });
		expect(() => JSON.parse(before.text)).toThrow();
		expect(sim.tasks()).toHaveLength(1);
	});

	it('matches on provider, method and path; rules without times stay until cleared', async () => {
		sim.faults.add({ provider: 'useapi', kind: 'status', status: 500 });
		sim.faults.add({ provider: 'runway', method: 'DELETE', kind: 'status', status: 502 });
		expect((await runway('/v1/organization')).status).toBe(200);
		expect((await provider(sim, 'useapi')('/accounts')).status).toBe(500);
		expect((await provider(sim, 'useapi')('/accounts')).status).toBe(500);
		expect((await runway('/v1/tasks/x', { method: 'DELETE' })).status).toBe(502);
		expect(sim.faults.list()).toHaveLength(2);
		sim.faults.clear();
		expect((await provider(sim, 'useapi')('/accounts')).status).toBe(200);
	});

	it('records requests with secrets redacted', async () => {
		await runway('/v1/character_performance', {
			body: {
				...minimal,
				reference: { type: 'video', uri: 'data:video/mp4;base64,' + 'A'.repeat(500) },
			},
		});
		const [r] = sim.requests();
		expect(r).toMatchObject({
			provider: 'runway',
			method: 'POST',
			path: '/runway/v1/character_performance',
			status: 400,
		});
		expect(r.headers.authorization).toBe('Bearer REDACTED');
		expect(JSON.stringify(r)).not.toContain(sim.keys.runway);
		expect((r.body.json as { reference: { uri: string } }).reference.uri.length).toBeLessThan(100);
	});

	describe('HTTP controls (/__sim)', () => {
		it('adds and clears faults, queues outcomes, lists tasks/requests/callbacks, resets', async () => {
			const add = await call(sim.url + '/__sim/faults', {
				body: {
					provider: 'runway',
					path: '/v1/organization',
					kind: 'rate_limit',
					retryAfter: 1,
					times: 1,
				},
			});
			expect(add.status).toBe(201);
			const regex = await call(sim.url + '/__sim/faults', {
				body: [{ provider: 'runway', pathRegex: '^/v1/tasks/', kind: 'server_error', status: 504 }],
			});
			expect(regex.json).toHaveLength(2);
			expect((await runway('/v1/organization')).status).toBe(429);
			expect((await runway('/v1/tasks/abc')).status).toBe(504);
			expect((await call(sim.url + '/__sim/faults', { method: 'DELETE' })).status).toBe(204);
			expect((await runway('/v1/tasks/abc')).status).toBe(404);
			expect((await call(sim.url + '/__sim/faults', { body: { kind: 'explode' } })).status).toBe(
				400,
			);

			expect(
				(
					await call(sim.url + '/__sim/outcomes', {
						body: { provider: 'runway', outcome: 'no_credits', times: 1 },
					})
				).status,
			).toBe(204);
			expect((await runway('/v1/character_performance', { body: minimal })).status).toBe(400);
			expect((await runway('/v1/character_performance', { body: minimal })).status).toBe(200);
			const tasks = await call(sim.url + '/__sim/tasks');
			expect(tasks.json).toHaveLength(1);
			expect(tasks.json[0]).toMatchObject({
				provider: 'runway',
				api: 'runway',
				model: 'act_two',
				outcome: 'succeed',
			});
			const reqs = await call(sim.url + '/__sim/requests');
			expect(reqs.json.some((r: { path: string }) => r.path.startsWith('/__sim'))).toBe(false);
			expect((await call(sim.url + '/__sim/callbacks')).json).toEqual([]);
			const info = await call(sim.url + '/__sim/info');
			expect(info.json.baseUrls).toEqual(sim.baseUrls);
			expect((await call(sim.url + '/__sim/reset', { method: 'POST' })).status).toBe(204);
			expect(sim.tasks()).toHaveLength(0);
			expect(sim.requests()).toHaveLength(0);
		});
	});

	it('answers each provider own 404 for unknown paths and 405 for a wrong method', async () => {
		expect((await runway('/v1/nope')).json).toEqual({ error: 'Not found' });
		expect((await runway('/v1/organization', { method: 'DELETE' })).status).toBe(405);
		expect((await provider(sim, 'useapi')('/nope')).json).toEqual({
			error: 'Not found.',
			code: 404,
		});
		expect((await provider(sim, 'liangxin')('/nope')).json.code).toBe(404);
		expect((await provider(sim, 'comet')('/nope')).json.error.type).toBe('comet_api_error');
	});

	it('close() leaves no timers behind (tasks mid-flight, callback retries pending)', async () => {
		const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
		const hook = await receiver(() => 500);
		try {
			const before = timeouts();
			const s2 = await startSimulator({
				timing: { queuedMs: 150, throttledMs: 0, runningMs: 300, progressSteps: 1 },
				callbackRetry: { attempts: 5, baseDelayMs: 400 },
			});
			// A LiangXin render that ends fast: its callback is refused (500) and a retry is scheduled.
			const lx = provider(s2, 'liangxin');
			await lx('/api/v1/jobs/createTask', {
				body: {
					model: 'runway-act-two',
					callBackUrl: hook.url,
					input: { character: 'https://a.example/c.png', reference: 'https://a.example/r.mp4' },
				},
			});
			await waitFor(() => s2.callbacks().length === 1, 5000);
			expect(s2.callbacks()[0]).toMatchObject({ provider: 'liangxin', attempt: 1, status: 500 });
			// A Runway render queued, its lifecycle timers still pending.
			await provider(s2, 'runway')('/v1/character_performance', { body: minimal });
			const phases = () => s2.tasks().map((t) => `${t.id}:${t.phase}:${t.progress}`);
			const atClose = phases();
			expect(s2.tasks().map((t) => t.phase)).toEqual(['succeeded', 'queued']);
			await s2.close();
			await s2.close();
			// Past the retry delay and the whole Runway lifecycle: nothing fired after close.
			await sleep(1200);
			expect(phases()).toEqual(atClose);
			expect(hook.received).toHaveLength(1);
			// And no timer of the simulator is left in the process (the HTTP client's may take a moment).
			await waitFor(() => timeouts() <= before, 5000).catch(() => undefined);
			expect(timeouts()).toBeLessThanOrEqual(before);
		} finally {
			await hook.close();
		}
	});
});
