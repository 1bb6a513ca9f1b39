/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Benchmark 3 (issue 12): callback intake in a real n8n. The same genuine LiangXin callback bodies (finished
 * renders on the simulator, each body what the provider would POST) are delivered, CONCURRENCY at a time, to
 * three published workflows on the same n8n, each ending in a No Op:
 *   BASELINE     n8n's Webhook node (POST, Respond: Immediately): takes any body, checks nothing;
 *   trigger off  the Act-Two Trigger with Confirm With Provider off: URL secret, body shape, event filter, the
 *                delivery ledger (one execution per event), secrets masked;
 *   trigger on   the same with confirmation on: one status read of the task from the provider per delivery.
 * ROUNDS rounds; in each, every mode gets DELIVERIES distinct events (after WARM_UP unmeasured ones), the modes
 * in a rotating order so none always runs first or last on a shared machine. Per round and mode:
 *   deliveries/s  events / (first POST → the last of their executions stopped, as n8n stored it): executions
 *                 stored, not answers sent (both answer before the run), so a backlog counts;
 *   latency       each event's POST → its execution's stoppedAt;
 *   n8n CPU       the n8n process's CPU time (all threads, /proc) per event: what the throughput of a dedicated
 *                 core would be set by, and far less disturbed by other load than wall time.
 * Reported: the median round's deliveries/s and CPU per event, and latency percentiles over all events.
 *
 * Run alone: ACT_TWO_BENCH_N8N=1 node --import tsx test/bench/n8n-intake.bench.ts
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { ACT_TWO_TRIGGER, node, noOp, webhookTrigger, workflow } from '../e2e/workflows/build';
import type { Execution, N8nInstance, WorkflowJson } from '../n8n/instance';
import { startSimulator, type Simulator } from '../simulator';
import {
	allExecutions,
	benchN8n,
	n8nCpuMs,
	deploy,
	n8nBenchEntry,
	needsN8n,
	pool,
	quantile,
	sleep,
} from './n8n';
import { fmtMs, fmtRatio, printTable, type BenchOutcome, type SummaryRow } from './report';

const NAME = 'n8n-intake';
const DELIVERIES = Number(process.env.ACT_TWO_BENCH_DELIVERIES ?? 80);
const WARM_UP = 10;
const ROUNDS = Number(process.env.ACT_TWO_BENCH_ROUNDS ?? 3);
const CONCURRENCY = 8;
const GIVE_UP_MS = 120_000;
/** Trigger intake at least this share of the Webhook node's throughput, confirmation off (issue 12). */
const TARGET = 0.9;

const MODES = ['webhook', 'trigger off', 'trigger on'] as const;
type Mode = (typeof MODES)[number];

interface Render {
	taskId: string;
	body: Record<string, unknown>;
}

interface Round {
	mode: Mode;
	perSecond: number;
	latenciesMs: number[];
	/** n8n's CPU time per event, null without /proc. */
	cpuMs: number | null;
	answersPerSecond: number;
	problems: string[];
}

/** `count` finished LiangXin renders on the simulator, with the callback body of each. */
export async function finishedRenders(sim: Simulator, count: number): Promise<Render[]> {
	const base = sim.baseUrls.liangxin;
	const headers = {
		authorization: `Bearer ${sim.keys.liangxin}`,
		'content-type': 'application/json',
	};
	const input = {
		character: { type: 'image', uri: sim.staticUrl('character.png') },
		reference: { type: 'video', uri: sim.staticUrl('driving.mp4') },
	};
	const ids = await pool(
		Array.from({ length: count }, (_, i) => i),
		16,
		async () => {
			const res = await fetch(`${base}/api/v1/jobs/createTask`, {
				method: 'POST',
				headers,
				body: JSON.stringify({ model: 'runway-act-two', input }),
			});
			const created = (await res.json()) as { data?: { taskId?: string } };
			if (!created.data?.taskId) throw new Error(`createTask answered ${res.status}`);
			return created.data.taskId;
		},
	);
	return await pool(ids, 16, async (taskId) => {
		for (let i = 0; ; i++) {
			const res = await fetch(
				`${base}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`,
				{ headers },
			);
			const body = (await res.json()) as Record<string, unknown> & { data?: { state?: string } };
			if (body.data?.state === 'success') return { taskId, body };
			if (i > 200) throw new Error(`task ${taskId} did not succeed: ${JSON.stringify(body)}`);
			await sleep(50);
		}
	});
}

interface Target {
	mode: Mode;
	workflowId: string;
	url: string;
	/** The task id an execution of this workflow was started for. */
	taskOf: (exec: Execution) => string | undefined;
}

function triggerWorkflow(
	confirm: boolean,
	webhookId: string,
	credentials: Record<string, { id: string; name: string }>,
): WorkflowJson {
	const trigger = node(
		'Act-Two Trigger',
		ACT_TWO_TRIGGER,
		{ provider: 'liangxin', events: 'finished', options: { confirm } },
		[0, 0],
		{ webhookId, typeVersion: 2, credentials },
	);
	return workflow(
		`bench ${NAME} trigger confirm ${confirm ? 'on' : 'off'}`,
		[trigger, noOp('Got It', [1, 0])],
		[['Act-Two Trigger', 'Got It']],
	);
}

const firstJson = (exec: Execution, nodeName: string) =>
	exec.data?.resultData.runData[nodeName]?.[0]?.data?.main[0]?.[0]?.json;

export async function deployTargets(n8n: N8nInstance, sim: Simulator): Promise<Target[]> {
	const secret = randomBytes(18).toString('base64url');
	const name = `bench liangxin ${randomUUID().slice(0, 8)}`;
	const id = await n8n.createCredential(name, 'liangXinApi', {
		apiKey: sim.keys.liangxin,
		baseUrl: sim.baseUrls.liangxin,
		callbackSecret: secret,
	});
	const credentials = { liangXinApi: { id, name } };
	const targets: Target[] = [];
	const path = `bench-intake-${randomUUID().slice(0, 8)}`;
	const webhook = webhookTrigger(path);
	targets.push({
		mode: 'webhook',
		workflowId: await deploy(
			n8n,
			workflow(`bench ${NAME} webhook`, [webhook, noOp('Got It', [1, 0])], [['Webhook', 'Got It']]),
		),
		// the same query as the trigger's URL, so both parse the same request
		url: `${n8n.baseUrl}/webhook/${path}?secret=${secret}`,
		taskOf: (e) => {
			const body = firstJson(e, 'Webhook')?.body as { data?: { taskId?: string } } | undefined;
			return body?.data?.taskId;
		},
	});
	for (const confirm of [false, true]) {
		const webhookId = randomUUID();
		targets.push({
			mode: confirm ? 'trigger on' : 'trigger off',
			workflowId: await deploy(n8n, triggerWorkflow(confirm, webhookId, credentials)),
			url: `${n8n.baseUrl}/webhook/${webhookId}/act-two?secret=${secret}`,
			taskOf: (e) => {
				const taskId = firstJson(e, 'Act-Two Trigger')?.taskId;
				return typeof taskId === 'string' ? taskId : undefined;
			},
		});
	}
	return targets;
}

/** Delivers every render to the target, CONCURRENCY at a time; returns when each POST was sent, and the answers. */
export async function deliver(target: Target, renders: Render[]) {
	const sent = new Map<string, number>();
	const answers = await pool(renders, CONCURRENCY, async (r) => {
		sent.set(r.taskId, Date.now());
		const res = await fetch(target.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(r.body),
		});
		return { taskId: r.taskId, status: res.status, body: await res.text() };
	});
	return { sent, answers, answeredAt: Date.now() };
}

/** Waits until the target's workflow has stored `count` new executions (not in `before`) and returns them. */
async function newExecutions(
	n8n: N8nInstance,
	target: Target,
	before: Set<string>,
	count: number,
): Promise<{ execs: Execution[]; cpuAt: number | null }> {
	const deadline = Date.now() + GIVE_UP_MS;
	for (;;) {
		const fresh = (await allExecutions(n8n, target.workflowId, false)).filter(
			(e) => !before.has(e.id),
		);
		const ended = fresh.filter((e) => e.stoppedAt);
		if (ended.length >= count) {
			const cpuAt = n8nCpuMs(n8n);
			await sleep(500); // anything more would be a duplicate: let it show
			const execs = (await allExecutions(n8n, target.workflowId, true)).filter(
				(e) => !before.has(e.id),
			);
			return { execs, cpuAt };
		}
		if (Date.now() > deadline)
			throw new Error(
				`${target.mode}: ${ended.length} of ${count} executions after ${GIVE_UP_MS} ms`,
			);
		await sleep(300);
	}
}

async function oneRound(n8n: N8nInstance, target: Target, renders: Render[]): Promise<Round> {
	const before = new Set((await allExecutions(n8n, target.workflowId, false)).map((e) => e.id));
	const cpuBefore = n8nCpuMs(n8n);
	const { sent, answers, answeredAt } = await deliver(target, renders);
	const problems: string[] = [];
	const bad = answers.filter(
		(a) => a.status !== 200 || (target.mode !== 'webhook' && !a.body.includes('"started":true')),
	);
	if (bad.length)
		problems.push(
			`${bad.length} deliveries not accepted, e.g. ${bad[0].status} ${bad[0].body.slice(0, 200)}`,
		);
	const { execs, cpuAt } = await newExecutions(n8n, target, before, renders.length - bad.length);
	const stopped = new Map<string, number>();
	for (const e of execs) {
		const taskId = target.taskOf(e);
		if (e.status !== 'success') problems.push(`execution ${e.id} ended ${e.status}`);
		if (!taskId || !sent.has(taskId)) problems.push(`execution ${e.id} is for no delivery sent`);
		else if (stopped.has(taskId)) problems.push(`task ${taskId} started two executions`);
		else stopped.set(taskId, Date.parse(e.stoppedAt ?? ''));
	}
	if (stopped.size !== renders.length)
		problems.push(`${stopped.size} of ${renders.length} deliveries have an execution`);
	const first = Math.min(...sent.values());
	const last = Math.max(...stopped.values());
	return {
		mode: target.mode,
		perSecond: (stopped.size / (last - first)) * 1000,
		latenciesMs: [...stopped].map(([taskId, at]) => at - sent.get(taskId)!),
		cpuMs: cpuBefore === null || cpuAt === null ? null : (cpuAt - cpuBefore) / renders.length,
		answersPerSecond: (answers.length / (answeredAt - first)) * 1000,
		problems: problems.map((p) => `${target.mode}: ${p}`),
	};
}

const median = (values: number[]) => quantile(values, 0.5);

interface ModeFigures {
	perSecond: number;
	p50Ms: number;
	p95Ms: number;
	cpuMs: number | null;
	answersPerSecond: number;
}

/** A mode's figures over its rounds: median round for the rates, percentiles over every event for latency. */
function figures(rounds: Round[]): ModeFigures {
	const latencies = rounds.flatMap((r) => r.latenciesMs);
	const cpu = rounds.map((r) => r.cpuMs).filter((c): c is number => c !== null);
	return {
		perSecond: median(rounds.map((r) => r.perSecond)),
		p50Ms: quantile(latencies, 0.5),
		p95Ms: quantile(latencies, 0.95),
		cpuMs: cpu.length ? median(cpu) : null,
		answersPerSecond: median(rounds.map((r) => r.answersPerSecond)),
	};
}

const fmtCpu = (ms: number | null) => (ms === null ? 'n/a' : `${ms.toFixed(1)} ms`);

async function bench(): Promise<BenchOutcome> {
	console.log(
		`\n== ${NAME}: ${DELIVERIES} callbacks per mode, ${CONCURRENCY} at a time, to the Act-Two Trigger and to n8n's Webhook node ` +
			`on one real n8n (${ROUNDS} rounds, modes in turn)`,
	);
	const sim = await startSimulator({
		timing: { queuedMs: 0, throttledMs: 0, runningMs: 10, progressSteps: 1 },
	});
	try {
		const n8n = await benchN8n();
		const targets = await deployTargets(n8n, sim);
		const perRound = WARM_UP + DELIVERIES;
		const renders = await finishedRenders(sim, perRound * ROUNDS);
		const rounds: Round[] = [];
		for (let r = 0; r < ROUNDS; r++) {
			// every mode gets the same events; a trigger workflow sees each event once (its ledger is its own)
			const batch = renders.slice(r * perRound, (r + 1) * perRound);
			for (let k = 0; k < targets.length; k++) {
				const target = targets[(r + k) % targets.length];
				// warm-up, unmeasured: its executions are all stored before the measured deliveries start
				const warm = new Set((await allExecutions(n8n, target.workflowId, false)).map((e) => e.id));
				await deliver(target, batch.slice(0, WARM_UP));
				await newExecutions(n8n, target, warm, WARM_UP);
				const round = await oneRound(n8n, target, batch.slice(WARM_UP));
				console.log(
					`  round ${r + 1} ${target.mode.padEnd(11)} ${round.perSecond.toFixed(1)} executions/s stored, ` +
						`latency p50 ${fmtMs(quantile(round.latenciesMs, 0.5))} p95 ${fmtMs(quantile(round.latenciesMs, 0.95))}, ` +
						`n8n CPU ${fmtCpu(round.cpuMs)} per event; answers ${round.answersPerSecond.toFixed(1)}/s`,
				);
				rounds.push(round);
			}
		}
		const med = Object.fromEntries(
			MODES.map((m) => [m, figures(rounds.filter((r) => r.mode === m))]),
		) as Record<Mode, ModeFigures>;
		console.log('');
		printTable(
			[
				'mode',
				'deliveries/s (stored)',
				'ratio to Webhook',
				'latency p50',
				'latency p95',
				'n8n CPU per event',
				'answers/s',
			],
			MODES.map((m) => [
				m === 'webhook'
					? "BASELINE: n8n's Webhook node"
					: `ours: Act-Two Trigger, confirm ${m.split(' ')[1]}`,
				med[m].perSecond.toFixed(1),
				fmtRatio(med[m].perSecond / med.webhook.perSecond),
				fmtMs(med[m].p50Ms),
				fmtMs(med[m].p95Ms),
				fmtCpu(med[m].cpuMs),
				med[m].answersPerSecond.toFixed(1),
			]),
		);
		console.log(
			"\nn8n's CPU per delivery (all threads, /proc) is the steadier figure on a shared machine. With n8n's default " +
				'expression engine (N8N_EXPRESSION_ENGINE=vm, 2.39 and 2.41) every take of an isolate from its pool creates a ' +
				'new isolate and disposes of the used one (isolate-pool.js), and n8n takes one for each run, for the webhook ' +
				'call of every trigger but its own Webhook node (live-webhooks.js webhookPhaseNeedsIsolate), and for each ' +
				'credential read before a run exists (credentials-helper.js applyDefaultsAndOverwrites). The Webhook node: 1 per ' +
				'event; the trigger: 3 with confirmation off (call, its credential, run), 5 with it on (the confirming read ' +
				'reads the credential twice more). ACT_TWO_BENCH_N8N_ENV="N8N_EXPRESSION_ENGINE=legacy" measures without them.',
		);
		const problems = rounds.flatMap((r) => r.problems);
		for (const p of problems) console.log(`WRONG: ${p}`);
		const base = med.webhook;
		const summary: SummaryRow[] = (['trigger off', 'trigger on'] as const).flatMap((m) => {
			const ours = med[m];
			const ratio = ours.perSecond / base.perSecond;
			return [
				{
					metric: `deliveries/s, confirm ${m.split(' ')[1]}`,
					ours: ours.perSecond.toFixed(1),
					baseline: base.perSecond.toFixed(1),
					ratio: fmtRatio(ratio),
					...(m === 'trigger off'
						? { target: `ratio >= ${TARGET.toFixed(2)}`, met: ratio >= TARGET }
						: {}),
				},
				{
					metric: `p95 POST → stored, confirm ${m.split(' ')[1]}`,
					ours: fmtMs(ours.p95Ms),
					baseline: fmtMs(base.p95Ms),
					ratio: fmtRatio(base.p95Ms / ours.p95Ms),
				},
				{
					metric: `n8n CPU per delivery, confirm ${m.split(' ')[1]}`,
					ours: fmtCpu(ours.cpuMs),
					baseline: fmtCpu(base.cpuMs),
					ratio: ours.cpuMs && base.cpuMs ? fmtRatio(base.cpuMs / ours.cpuMs) : 'n/a',
				},
			];
		});
		return { name: NAME, ok: problems.length === 0, problems, summary };
	} finally {
		await sim.close();
	}
}

export const run = needsN8n(NAME, bench);

n8nBenchEntry(module, run);
