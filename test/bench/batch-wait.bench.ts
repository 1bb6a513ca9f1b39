/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Waiting for a batch of renders: the package's pollTasks (every unfinished task read together, one round per
 * interval, bounded concurrency) against the way a naive node waits: one blocking poll loop per item, item after
 * item, with the same interval. Real Runway adapter, real HTTP, the provider simulator as the server.
 *
 * Run alone: node --import tsx test/bench/batch-wait.bench.ts
 */
import { setTimeout as delay } from 'node:timers/promises';

import { runwayAdapter } from '../../nodes/ActTwo/providers/runway/adapter';
import { RUNWAY_VERSION } from '../../nodes/ActTwo/providers/common/runway-format';
import type {
	ApiClient,
	ApiRequest,
	CreateInput,
	NormalizedTask,
} from '../../nodes/ActTwo/core/types';
import { mapWithConcurrency } from '../../nodes/ActTwo/core/limit';
import { isTerminal, pollTasks } from '../../nodes/ActTwo/transport/poll';
import { startSimulator, type Simulator } from '../simulator';
import { fmtMs, fmtRatio, printTable, type BenchOutcome } from './report';

/** A render takes 1.5 s on the simulator (queued 0.3 s, running 1.2 s). */
const TIMING = { queuedMs: 300, throttledMs: 0, runningMs: 1200, progressSteps: 2 };
const INTERVAL_MS = 300;
const CONCURRENCY = 8;
/** The batch the package waits for. */
const N_OURS = 200;
/** Sequential baselines cost about N x (interval or render); these keep each under ~20 s. */
const N_SEQ = 40;
const N_NAIVE = 10;
/** The read-first loop costs about one render plus N reads, so it is measured at the full batch size. */
const N_READ_FIRST = N_OURS;
/** A guard so a broken run cannot hang the benchmark. */
const GIVE_UP_MS = 60_000;

/** A minimal ApiClient on fetch (Node's undici) against the simulator: Bearer key + X-Runway-Version, JSON in/out. */
function fetchClient(baseUrl: string, apiKey: string): ApiClient {
	return {
		async request<T>(req: ApiRequest): Promise<T> {
			const url = new URL(
				/^https?:\/\//i.test(req.url)
					? req.url
					: `${baseUrl.replace(/\/+$/, '')}/${req.url.replace(/^\/+/, '')}`,
			);
			for (const [k, v] of Object.entries(req.qs ?? {})) url.searchParams.set(k, String(v));
			const headers: Record<string, string> = {
				Accept: 'application/json',
				...(req.headers ?? {}),
			};
			if (req.authenticated !== false) {
				headers.Authorization = `Bearer ${apiKey}`;
				headers['X-Runway-Version'] = RUNWAY_VERSION;
			}
			if (req.body !== undefined) headers['Content-Type'] = 'application/json';
			const res = await fetch(url, {
				method: req.method,
				headers,
				body: req.body === undefined ? undefined : JSON.stringify(req.body),
			});
			const text = await res.text();
			if (!res.ok)
				throw new Error(
					`${req.method} ${url.pathname} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
				);
			return (text.trim() ? JSON.parse(text) : {}) as T;
		},
	};
}

interface Scenario {
	name: string;
	n: number;
	createMs: number;
	waitMs: number;
	totalMs: number;
	statusRequests: number;
	/** Sequential loops: how long each item's wait took, in order. */
	itemMs: number[];
	wrong: string[];
}

const statusReads = (sim: Simulator) =>
	sim
		.requests()
		.filter((r) => r.provider === 'runway' && r.method === 'GET' && /\/v1\/tasks\//.test(r.path))
		.length;

function checkAll(tasks: NormalizedTask[], n: number): string[] {
	const wrong: string[] = [];
	if (tasks.length !== n) wrong.push(`${tasks.length} tasks known, expected ${n}`);
	const notDone = tasks.filter((t) => t.status !== 'succeeded' || !t.outputs[0]?.url);
	if (notDone.length) {
		wrong.push(
			`${notDone.length} task(s) not succeeded with an output: ${notDone
				.slice(0, 3)
				.map((t) => `${t.taskId}=${t.status}`)
				.join(', ')}`,
		);
	}
	return wrong;
}

/** The loop a naive node runs per item: sleep, read, until the task ends (Runway SDK's waitForTaskOutput shape). */
async function blockingWait(
	client: ApiClient,
	task: NormalizedTask,
	readFirst: boolean,
	deadline: number,
): Promise<NormalizedTask> {
	let current = task;
	for (;;) {
		if (!readFirst || current !== task) await delay(INTERVAL_MS);
		current = await runwayAdapter.get(client, current.taskId, 'act_two');
		if (isTerminal(current) || Date.now() > deadline) return current;
		if (readFirst) await delay(INTERVAL_MS);
		readFirst = false;
	}
}

export async function run(): Promise<BenchOutcome> {
	const sim = await startSimulator({ timing: TIMING });
	const client = fetchClient(sim.baseUrls.runway, sim.keys.runway);
	const input: CreateInput = {
		model: 'act_two',
		character: { kind: 'uri', type: 'image', uri: sim.staticUrl('character.png') },
		reference: { kind: 'uri', type: 'video', uri: sim.staticUrl('driving.mp4') },
		ratio: '1280:720',
	};
	const createAll = async (n: number) => {
		const tasks = await mapWithConcurrency(
			Array.from({ length: n }, (_, i) => i),
			CONCURRENCY,
			async () => await runwayAdapter.create(client, input),
		);
		return tasks as NormalizedTask[];
	};

	const scenario = async (
		name: string,
		n: number,
		body: () => Promise<{ createMs: number; tasks: NormalizedTask[]; itemMs?: number[] }>,
	): Promise<Scenario> => {
		sim.reset();
		const t0 = performance.now();
		const { createMs, tasks, itemMs = [] } = await body();
		const totalMs = performance.now() - t0;
		const s: Scenario = {
			name,
			n,
			createMs,
			waitMs: totalMs - createMs,
			totalMs,
			statusRequests: statusReads(sim),
			itemMs,
			wrong: checkAll(tasks, n),
		};
		console.log(
			`  ${name.padEnd(52)} N=${String(n).padStart(3)}  create ${fmtMs(s.createMs).padStart(7)}  wait ${fmtMs(
				s.waitMs,
			).padStart(
				7,
			)}  total ${fmtMs(s.totalMs).padStart(7)}  status GETs ${String(s.statusRequests).padStart(5)}`,
		);
		return s;
	};

	const ours = (n: number) => async () => {
		const c0 = performance.now();
		const created = await createAll(n);
		const createMs = performance.now() - c0;
		const results = await pollTasks(
			created,
			async (t) => await runwayAdapter.get(client, t.taskId, 'act_two'),
			{
				intervalMs: INTERVAL_MS,
				jitterMs: 0,
				timeoutMs: GIVE_UP_MS,
				concurrency: CONCURRENCY,
				initialDelay: true,
			},
		);
		const bad = results.filter((r) => r.kind !== 'done');
		if (bad.length)
			console.log(`  pollTasks left ${bad.length} task(s) unfinished (${bad[0].kind})`);
		return { createMs, tasks: results.map((r) => r.task) };
	};
	const sequential = (n: number, readFirst: boolean) => async () => {
		const c0 = performance.now();
		const created = await createAll(n);
		const createMs = performance.now() - c0;
		const deadline = Date.now() + GIVE_UP_MS;
		const tasks: NormalizedTask[] = [];
		const itemMs: number[] = [];
		for (const task of created) {
			const i0 = performance.now();
			tasks.push(await blockingWait(client, task, readFirst, deadline));
			itemMs.push(performance.now() - i0);
		}
		return { createMs, tasks, itemMs };
	};
	const naive = (n: number) => async () => {
		let createMs = 0;
		const deadline = Date.now() + GIVE_UP_MS;
		const tasks: NormalizedTask[] = [];
		const itemMs: number[] = [];
		for (let i = 0; i < n; i++) {
			const c0 = performance.now();
			const task = await runwayAdapter.create(client, input);
			createMs += performance.now() - c0;
			tasks.push(await blockingWait(client, task, false, deadline));
			itemMs.push(performance.now() - c0);
		}
		return { createMs, tasks, itemMs };
	};

	console.log(
		`\n== batch-wait: waiting for a batch of Runway renders (simulator render ${
			TIMING.queuedMs + TIMING.runningMs
		} ms, interval ${INTERVAL_MS} ms, jitter 0, concurrency ${CONCURRENCY})`,
	);
	let scenarios: Scenario[];
	try {
		scenarios = [
			await scenario('ours: pollTasks, all together', N_OURS, ours(N_OURS)),
			await scenario('ours: pollTasks, all together', N_SEQ, ours(N_SEQ)),
			await scenario('ours: pollTasks, all together', N_NAIVE, ours(N_NAIVE)),
			await scenario(
				'BASELINE: create all, 1 loop/item, sleep→read',
				N_SEQ,
				sequential(N_SEQ, false),
			),
			await scenario(
				'variant: create all, 1 loop/item, read→sleep',
				N_READ_FIRST,
				sequential(N_READ_FIRST, true),
			),
			await scenario('variant: per item create, then its loop', N_NAIVE, naive(N_NAIVE)),
		];
	} finally {
		await sim.close();
	}
	const [o200, o40, o10, base, readFirst, perItem] = scenarios;
	const oursAt = (n: number) => [o200, o40, o10].find((o) => o.n === n)!;

	console.log('');
	printTable(
		[
			'run',
			'N',
			'wall (create+wait)',
			'wait only',
			'status GETs',
			'GETs/task',
			'GETs/s (wait)',
			'wall/N',
		],
		scenarios.map((s) => [
			s.name,
			String(s.n),
			fmtMs(s.totalMs),
			fmtMs(s.waitMs),
			String(s.statusRequests),
			(s.statusRequests / s.n).toFixed(1),
			(s.statusRequests / (s.waitMs / 1000)).toFixed(0),
			fmtMs(s.totalMs / s.n),
		]),
	);

	// A sequential loop's steady cost per item: the mean of every item after the first (the first one also waits
	// out the render). The per-item create+loop pays a full render for every item, so every item counts there.
	const marginalMs = (s: Scenario) => {
		const rest = s === perItem ? s.itemMs : s.itemMs.slice(1);
		return rest.reduce((a, b) => a + b, 0) / Math.max(1, rest.length);
	};
	// What is compared: the wait phase when every baseline task was created up front with the same code as ours
	// (the creates are identical, only the waiting differs); the whole create+wait when the baseline creates each
	// item just before waiting for it (the two cannot be separated there).
	const waitOnly = (b: Scenario) => b !== perItem;
	const cost = (s: Scenario, like: Scenario) => (waitOnly(like) ? s.waitMs : s.totalMs);
	const estimateAt = (s: Scenario, n: number) => cost(s, s) + (n - s.n) * marginalMs(s);
	const at200 = (b: Scenario) => (b.n === N_OURS ? cost(b, b) : estimateAt(b, N_OURS));
	const ratioRows = [base, readFirst, perItem].map((b) => {
		const same = oursAt(b.n);
		const measured = b.n === N_OURS;
		return [
			b.name,
			waitOnly(b) ? 'wait phase' : 'create+wait',
			`N=${b.n}: ${fmtMs(cost(b, b))} vs ${fmtMs(cost(same, b))}`,
			fmtRatio(cost(b, b) / cost(same, b)),
			measured ? '-' : fmtMs(marginalMs(b)),
			`${fmtMs(at200(b))}${measured ? ' (measured)' : ' (estimate)'} vs ${fmtMs(cost(o200, b))}`,
			fmtRatio(at200(b) / cost(o200, b)),
		];
	});
	console.log('');
	console.log(
		`Ratio = baseline / ours. "same N": both measured in this run with the same N. Baselines that create every task\n` +
			`first (same create code as ours) are compared on the wait phase; the per-item create+loop on create+wait.\n` +
			`"at N=${N_OURS}": ours is measured; a sequential baseline too slow to run at N=${N_OURS} is ESTIMATED as its figure at\n` +
			`its own N + (${N_OURS} - N) x its measured per-item cost (mean of each item after the first, whose wait includes\n` +
			`the render; for the per-item create+loop, of every item). Ours per item at N=${N_OURS}: wait ${fmtMs(
				o200.waitMs / N_OURS,
			)}, create+wait ${fmtMs(o200.totalMs / N_OURS)}.`,
	);
	printTable(
		[
			'baseline',
			'compared on',
			'same N: baseline vs ours',
			'ratio same N',
			'baseline per item',
			`N=${N_OURS}: baseline vs ours`,
			`ratio N=${N_OURS}`,
		],
		ratioRows,
	);

	const wrong = scenarios.flatMap((s) => s.wrong.map((w) => `${s.name} N=${s.n}: ${w}`));
	for (const w of wrong) console.log(`WRONG: ${w}`);
	return {
		name: 'batch-wait',
		ok: wrong.length === 0,
		problems: wrong,
		summary: [
			{
				metric: `wait, same N=${N_SEQ} (measured)`,
				ours: fmtMs(o40.waitMs),
				baseline: fmtMs(base.waitMs),
				ratio: fmtRatio(base.waitMs / o40.waitMs),
			},
			{
				metric: `wait, N=${N_OURS} (baseline estimated)`,
				ours: fmtMs(o200.waitMs),
				baseline: `~${fmtMs(at200(base))}`,
				ratio: fmtRatio(at200(base) / o200.waitMs),
			},
			{
				metric: `wait, N=${N_OURS}, vs read→sleep loop`,
				ours: fmtMs(o200.waitMs),
				baseline: fmtMs(readFirst.waitMs),
				ratio: fmtRatio(readFirst.waitMs / o200.waitMs),
			},
			{
				metric: `create+wait, N=${N_NAIVE}, vs per-item create+loop`,
				ours: fmtMs(o10.totalMs),
				baseline: fmtMs(perItem.totalMs),
				ratio: fmtRatio(perItem.totalMs / o10.totalMs),
			},
			{
				metric: `status GETs per task (N=${N_SEQ})`,
				ours: (o40.statusRequests / o40.n).toFixed(1),
				baseline: (base.statusRequests / base.n).toFixed(1),
				ratio: fmtRatio(base.statusRequests / o40.statusRequests),
			},
		],
	};
}

if (require.main === module) {
	run()
		.then((outcome) => process.exit(outcome.ok ? 0 : 1))
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
}
