/* eslint-disable no-console -- test-only code, the scanner never reads test/ */
/**
 * Benchmark 2 (issue 12): waiting for N renders in a real n8n, the package against the workflow n8n users build
 * without it. Both are started by a Webhook with N items (Split Out), on the same n8n, against the same
 * simulated Runway (render 13.5 s: queued 1 s, running 12.5 s with progress), same interval (3 s), no jitter:
 *   ours      Act-Two Create (Runway), Wait For Completion: Poll Until Done;
 *   BASELINE  HTTP Request (POST /v1/character_performance, Header Auth credential, X-Runway-Version) → Wait
 *             (3 s) → HTTP Request (GET /v1/tasks/{{ $json.id }}) → IF status is SUCCEEDED/FAILED/CANCELLED →
 *             true: Done, false: back to Wait.
 * Each size REPEATS times, the two in turn; the run of median wall time is reported. Measured per run: wall
 * time (n8n's own startedAt → stoppedAt), the HTTP requests the simulator received (creates and status reads),
 * the bytes n8n stored for the execution (its SQLite execution_data row), and whether the execution held its
 * worker while waiting: its status sampled every 250 ms ('running' = held in memory by a process; 'waiting' =
 * offloaded to the database, as n8n's Wait does for 65 s or more).
 * N = 10 and 40: the wall time is set by the render and the interval, not by N, while requests and stored
 * bytes grow in proportion to N, so two sizes show the trend, and 12 runs of them take about 4 minutes on 2
 * cores, within the 10 minutes of the bench. The loop reads every interval (about 5 reads per render here);
 * the node reads when the render's progress says it ends.
 *
 * Run alone: ACT_TWO_BENCH_N8N=1 node --import tsx test/bench/n8n-loop.bench.ts
 */
import { randomUUID } from 'node:crypto';

import { RUNWAY_VERSION } from '../../nodes/ActTwo/providers/common/runway-format';
import {
	actTwo,
	createParams,
	node,
	noOp,
	webhookTrigger,
	workflow,
	type CredentialRef,
} from '../e2e/workflows/build';
import type { Execution, N8nInstance, WorkflowJson, WorkflowNode } from '../n8n/instance';
import { startSimulator, type Simulator } from '../simulator';
import {
	allExecutions,
	benchN8n,
	deploy,
	n8nBenchEntry,
	needsN8n,
	sleep,
	storedBytes,
} from './n8n';
import { fmtMs, fmtRatio, printTable, type BenchOutcome, type SummaryRow } from './report';

const NAME = 'n8n-loop';
/**
 * A render long enough for several polls (real ones take minutes), with Runway's progress as it runs. It ends
 * (13.5 s) halfway between two of the loop's reads: a fixed-interval loop sees an end 0 to 1 interval late, half
 * an interval on average over render lengths, and a length that is a multiple of the interval would show only
 * its best case.
 */
const TIMING = { queuedMs: 1000, throttledMs: 0, runningMs: 12_500, progressSteps: 25 };
const INTERVAL_S = 3;
const SIZES = [10, 40];
/** Runs per size and kind; the median one is reported. */
const REPEATS = 3;
const GIVE_UP_MS = 120_000;
const SAMPLE_MS = 250;

type Kind = 'ours' | 'baseline';

interface Measured {
	kind: Kind;
	n: number;
	wallMs: number;
	creates: number;
	reads: number;
	requests: number;
	storedData: number;
	storedWorkflow: number;
	/** Status samples taken while the execution ran: how many showed it held ('running') or offloaded. */
	held: number;
	offloaded: number;
	problems: string[];
}

/** What both workflows are built from: their webhook path, the simulator's Runway and input URLs, the credentials. */
interface Setup {
	path: string;
	runwayBase: string;
	urls: { character: string; driving: string };
	runway: CredentialRef;
	headerAuth: CredentialRef;
}

/** Webhook (the N items in its body) → Split Out → `nodes`, the first of which takes the items. */
function fromWebhook(
	kind: Kind,
	path: string,
	nodes: WorkflowNode[],
	links: Parameters<typeof workflow>[2],
): WorkflowJson {
	const items = node(
		'Items',
		'n8n-nodes-base.splitOut',
		{ fieldToSplitOut: 'body.items', options: {} },
		[1, 0],
		{ typeVersion: 1 },
	);
	return workflow(
		`bench ${NAME} ${kind}`,
		[webhookTrigger(path), items, ...nodes],
		[['Webhook', 'Items'], ['Items', nodes[0].name], ...links],
	);
}

/** The Act-Two node polling until done. */
function oursWorkflow({ path, urls, runway: credentials }: Setup): WorkflowJson {
	return fromWebhook(
		'ours',
		path,
		[
			actTwo(
				'Render',
				credentials,
				createParams('runway', urls, {
					options: { pollInterval: INTERVAL_S, pollJitter: 0, timeoutMinutes: 2 },
				}),
				[2, 0],
			),
			noOp('Done', [3, 0]),
		],
		[['Render', 'Done']],
	);
}

/** The no-code loop: HTTP Request create → Wait → HTTP Request get → IF done, else back to Wait. */
function baselineWorkflow({ path, urls, headerAuth, runwayBase: base }: Setup): WorkflowJson {
	const http = (name: string, params: Record<string, unknown>, at: [number, number]) =>
		node(
			name,
			'n8n-nodes-base.httpRequest',
			{
				authentication: 'genericCredentialType',
				genericAuthType: 'httpHeaderAuth',
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'X-Runway-Version', value: RUNWAY_VERSION }] },
				options: {},
				...params,
			},
			at,
			{ typeVersion: 4.2, credentials: headerAuth },
		);
	const ended = "['SUCCEEDED', 'FAILED', 'CANCELLED'].includes($json.status)";
	return fromWebhook(
		'baseline',
		path,
		[
			http(
				'Create Render',
				{
					method: 'POST',
					url: `${base}/v1/character_performance`,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: JSON.stringify({
						model: 'act_two',
						character: { type: 'image', uri: urls.character },
						reference: { type: 'video', uri: urls.driving },
					}),
				},
				[2, 0],
			),
			node(
				'Wait',
				'n8n-nodes-base.wait',
				{ resume: 'timeInterval', amount: INTERVAL_S, unit: 'seconds' },
				[3, 0],
				{ typeVersion: 1.1, webhookId: randomUUID() },
			),
			http('Get Task', { method: 'GET', url: `=${base}/v1/tasks/{{ $json.id }}` }, [4, 0]),
			node(
				'Ended?',
				'n8n-nodes-base.if',
				{
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
						conditions: [
							{
								leftValue: `={{ ${ended} }}`,
								rightValue: true,
								operator: { type: 'boolean', operation: 'true', singleValue: true },
							},
						],
						combinator: 'and',
					},
					options: {},
				},
				[5, 0],
				{ typeVersion: 2.2 },
			),
			noOp('Done', [6, 0]),
		],
		[
			['Create Render', 'Wait'],
			['Wait', 'Get Task'],
			['Get Task', 'Ended?'],
			['Ended?', 'Done', 0],
			['Ended?', 'Wait', 1],
		],
	);
}

/** Every item that reached Done, over all of its runs (the loop runs Done once per round that finished some). */
function doneItems(exec: Execution): Array<Record<string, unknown>> {
	return (exec.data?.resultData.runData.Done ?? []).flatMap((run) =>
		(run.data?.main[0] ?? []).map((i) => i.json),
	);
}

/** Starts one run, samples its status until it ends, and reads what it cost. */
async function measure(
	n8n: N8nInstance,
	sim: Simulator,
	kind: Kind,
	flow: { id: string; path: string },
	n: number,
): Promise<Measured> {
	sim.reset();
	const problems: string[] = [];
	const before = new Set((await allExecutions(n8n, flow.id, false)).map((e) => e.id));
	const answer = await n8n.runViaWebhook(flow.path, {
		items: Array.from({ length: n }, (_, i) => ({ item: i })),
	});
	if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}`);
	const deadline = Date.now() + GIVE_UP_MS;
	let held = 0;
	let offloaded = 0;
	let exec: Execution | undefined;
	for (;;) {
		// the public API lists running and waiting executions only when asked for that status
		const fresh = async (status?: string) =>
			(await n8n.listExecutions({ workflowId: flow.id, includeData: false, status })).some(
				(e) => !before.has(e.id),
			);
		if (await fresh('running')) held++;
		if (await fresh('waiting')) offloaded++;
		exec = (await allExecutions(n8n, flow.id, false)).find((e) => !before.has(e.id));
		if (exec && ['success', 'error', 'crashed', 'canceled'].includes(exec.status)) break;
		if (Date.now() > deadline) throw new Error(`${kind} N=${n} did not end in ${GIVE_UP_MS} ms`);
		await sleep(SAMPLE_MS);
	}
	const full = (await n8n.api<Execution>('GET', `/executions/${exec.id}?includeData=true`)).body;
	if (full.status !== 'success') problems.push(`execution ${full.id} ended ${full.status}`);
	const done = doneItems(full);
	const succeeded = done.filter((j) => String(j.status).toLowerCase() === 'succeeded').length;
	if (done.length !== n || succeeded !== n)
		problems.push(`${done.length} items reached Done, ${succeeded} succeeded; expected ${n}`);
	const tasks = sim.tasks().filter((t) => t.provider === 'runway');
	if (tasks.length !== n) problems.push(`${tasks.length} renders created, expected ${n}`);
	const runway = sim.requests().filter((r) => r.provider === 'runway');
	const size = (await storedBytes(n8n, [full.id])).get(full.id);
	if (!size) problems.push(`no execution_data row for execution ${full.id}`);
	// n8n owns the run's clock: the execution's own start and stop, as stored
	const wallMs = Date.parse(full.stoppedAt ?? '') - Date.parse(full.startedAt);
	return {
		kind,
		n,
		wallMs,
		creates: runway.filter((r) => r.method === 'POST').length,
		reads: runway.filter((r) => r.method === 'GET' && r.path.includes('/v1/tasks/')).length,
		requests: runway.length,
		storedData: size?.data ?? 0,
		storedWorkflow: size?.workflow ?? 0,
		held,
		offloaded,
		problems: problems.map((p) => `${kind} N=${n}: ${p}`),
	};
}

/** A figure where less is better; the target against the no-code loop: ours smaller. */
const costRow = (
	metric: string,
	ours: number,
	baseline: number,
	fmt: (v: number) => string,
): SummaryRow => ({
	metric,
	ours: fmt(ours),
	baseline: fmt(baseline),
	ratio: fmtRatio(baseline / ours),
	target: 'ratio > 1',
	met: baseline > ours,
});

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const heldText = (m: Measured) =>
	m.offloaded === 0
		? `held (${m.held}/${m.held} samples running)`
		: `offloaded ${m.offloaded}/${m.held + m.offloaded} samples`;

async function bench(): Promise<BenchOutcome> {
	console.log(
		`\n== ${NAME}: N renders in a real n8n, Act-Two Poll Until Done against HTTP Request → Wait → HTTP Request → IF loop ` +
			`(render ${(TIMING.queuedMs + TIMING.runningMs) / 1000} s, interval ${INTERVAL_S} s, no jitter)`,
	);
	const sim = await startSimulator({ timing: TIMING });
	try {
		const n8n = await benchN8n();
		const urls = {
			character: sim.staticUrl('character.png'),
			driving: sim.staticUrl('driving.mp4'),
		};
		const tag = randomUUID().slice(0, 8);
		const runwayName = `bench runway ${tag}`;
		const runwayId = await n8n.createCredential(runwayName, 'runwayApi', {
			apiKey: sim.keys.runway,
			baseUrl: sim.baseUrls.runway,
		});
		const headerName = `bench runway header auth ${tag}`;
		const headerId = await n8n.createCredential(headerName, 'httpHeaderAuth', {
			name: 'Authorization',
			value: `Bearer ${sim.keys.runway}`,
		});
		const flows: Record<Kind, { id: string; path: string }> = {
			ours: { id: '', path: `bench-loop-ours-${tag}` },
			baseline: { id: '', path: `bench-loop-baseline-${tag}` },
		};
		const setup = (path: string): Setup => ({
			path,
			runwayBase: sim.baseUrls.runway,
			urls,
			runway: { runwayApi: { id: runwayId, name: runwayName } },
			headerAuth: { httpHeaderAuth: { id: headerId, name: headerName } },
		});
		flows.ours.id = await deploy(n8n, oursWorkflow(setup(flows.ours.path)));
		flows.baseline.id = await deploy(n8n, baselineWorkflow(setup(flows.baseline.path)));
		// one small run each first: n8n loads the node types and compiles what it needs
		for (const kind of ['ours', 'baseline'] as const) await measure(n8n, sim, kind, flows[kind], 1);
		const runs: Measured[] = [];
		for (const n of SIZES) {
			for (let r = 0; r < REPEATS; r++) {
				// the two in turn, the first one alternating, so neither always runs on the warmer n8n
				for (const kind of r % 2
					? (['baseline', 'ours'] as const)
					: (['ours', 'baseline'] as const)) {
					const m = await measure(n8n, sim, kind, flows[kind], n);
					console.log(
						`  ${kind.padEnd(8)} N=${String(n).padEnd(3)} ${fmtMs(m.wallMs)}, ${m.requests} requests ` +
							`(${m.creates} creates, ${m.reads} reads), stored ${kib(m.storedData)} run data, ${heldText(m)}`,
					);
					runs.push(m);
				}
			}
		}
		// per size and kind, the run of median wall time (its requests and stored bytes with it)
		const results = SIZES.flatMap((n) =>
			(['ours', 'baseline'] as const).map((kind) => {
				const mine = runs
					.filter((m) => m.n === n && m.kind === kind)
					.sort((a, b) => a.wallMs - b.wallMs);
				return mine[Math.floor((mine.length - 1) / 2)];
			}),
		);
		const pair = (n: number) =>
			[
				results.find((r) => r.n === n && r.kind === 'ours')!,
				results.find((r) => r.n === n && r.kind === 'baseline')!,
			] as const;
		console.log('');
		printTable(
			[
				'run',
				'N',
				'wall time',
				'requests',
				'creates',
				'status reads',
				'reads/task',
				'stored run data',
				'stored workflow',
				'worker while waiting',
			],
			results.map((m) => [
				m.kind === 'ours'
					? 'ours: Act-Two Poll Until Done'
					: 'BASELINE: HTTP → Wait → HTTP → IF loop',
				String(m.n),
				fmtMs(m.wallMs),
				String(m.requests),
				String(m.creates),
				String(m.reads),
				(m.reads / m.n).toFixed(1),
				kib(m.storedData),
				kib(m.storedWorkflow),
				heldText(m),
			]),
		);
		console.log(
			"\nBoth hold an n8n process while they wait: the Act-Two node sleeps between reads, and n8n's Wait node " +
				'keeps waits under 65 s in memory too (longer ones go to the database and resume on its 60 s check).',
		);
		const problems = runs.flatMap((r) => r.problems);
		for (const p of problems) console.log(`WRONG: ${p}`);
		const summary: SummaryRow[] = SIZES.flatMap((n) => {
			const [ours, base] = pair(n);
			return [
				costRow(`wall time, N=${n}`, ours.wallMs, base.wallMs, fmtMs),
				costRow(`HTTP requests, N=${n}`, ours.requests, base.requests, String),
				costRow(`stored execution, N=${n}`, ours.storedData, base.storedData, kib),
			];
		});
		const [ours40, base40] = pair(SIZES[SIZES.length - 1]);
		summary.push({
			metric: 'worker held while waiting',
			ours: ours40.offloaded ? 'no' : 'yes',
			baseline: base40.offloaded ? 'no' : 'yes',
			ratio: '-',
		});
		return { name: NAME, ok: problems.length === 0, problems, summary };
	} finally {
		await sim.close();
	}
}

export const run = needsN8n(NAME, bench);

n8nBenchEntry(module, run);
