/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Memory of getting a finished video into n8n binary data. A 150 MiB generated "video" is served from
 * 127.0.0.1 as the output of a simulated Runway task; each way of storing it runs in its own child process, so
 * its peak RSS (process.resourceUsage().maxRSS) is its own:
 *   ours      the real Act-Two node, Task > Download Video, in n8n-core's real engine (test/harness), which
 *             streams the body into the real BinaryDataService (filesystem mode) via transport/download.ts;
 *   BASELINE  a bench-only node in the same engine that reads the same task with the same adapter, fetches the
 *             video into one Buffer (helpers.httpRequest, encoding 'arraybuffer') and calls prepareBinaryData(buffer).
 * Each child first runs its workflow once on a 1 MiB file (warm-up: every module and code path loaded), takes
 * maxRSS as its floor, runs the 150 MiB download, takes maxRSS again, then reads the stored file back and checks
 * its size and SHA-256 against the source.
 *
 * Run alone: node --import tsx test/bench/download-memory.bench.ts
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { RUNWAY_VERSION } from '../../nodes/ActTwo/providers/runway-format';
import { providerContext } from '../../nodes/ActTwo/shared/context';
import { videoFileName } from '../../nodes/ActTwo/transport/download';
import { startSimulator } from '../simulator';
import { fmtMiB, fmtMs, fmtRatio, printTable, type BenchOutcome } from './report';

/** 150 MiB unless ACT_TWO_BENCH_MIB says otherwise (e.g. to see that the streamed path stays flat as the file grows). */
const BIG_BYTES = Math.round(Number(process.env.ACT_TWO_BENCH_MIB ?? 150) * 1024 * 1024);
const WARM_BYTES = 1024 * 1024;
const CHUNK = 64 * 1024;
const ACT_TWO = 'n8n-nodes-act-two.actTwo';
const BUFFER_NODE = 'bench.bufferDownload';
const RESULT_PREFIX = 'BENCH_RESULT ';
const CHILD_TIMEOUT_MS = 90_000;

type Mode = 'ours' | 'baseline';

interface FileSpec {
	taskId: string;
	bytes: number;
	sha256: string;
}

interface ChildConfig {
	baseUrl: string;
	apiKey: string;
	warm: FileSpec;
	big: FileSpec;
}

interface ChildResult {
	mode: Mode;
	floorKiB: number;
	peakKiB: number;
	ms: number;
	storedBytes: number;
	storedSha256: string;
	storedInStore: boolean;
	mimeType: string;
	heapUsedAfter: number;
	problems: string[];
}

// -------------------------------------------------------------------------------------------------------------
// The generated "video": deterministic, every 64 KiB chunk different (its index is stamped into it).

function* chunks(total: number): Generator<Buffer> {
	const seed = createHash('sha256').update('act-two-bench').digest();
	const base = Buffer.alloc(CHUNK);
	for (let i = 0; i < CHUNK; i += seed.length) seed.copy(base, i);
	// An MP4-looking start: a 'ftyp' box, so content sniffers see a video.
	const ftyp = Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex');
	for (let offset = 0, index = 0; offset < total; offset += CHUNK, index++) {
		const chunk = Buffer.from(base.subarray(0, Math.min(CHUNK, total - offset)));
		chunk.writeUInt32BE(index, Math.min(32, chunk.length - 4));
		if (index === 0) ftyp.copy(chunk, 0);
		yield chunk;
	}
}

function sha256Of(total: number): string {
	const hash = createHash('sha256');
	for (const c of chunks(total)) hash.update(c);
	return hash.digest('hex');
}

// -------------------------------------------------------------------------------------------------------------
// Parent: simulator + a front server that serves the big file as the task's output

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const parts: Buffer[] = [];
	for await (const part of req) parts.push(part as Buffer);
	return Buffer.concat(parts);
}

/**
 * Forwards the Runway API to the simulator and rewrites the simulator's output URLs to itself; answers
 * GET /files/<taskId>.mp4 with the generated file of that task's size (streamed, Content-Length set).
 */
async function frontServer(
	simUrl: string,
	sizes: Map<string, number>,
): Promise<{ url: string; server: Server }> {
	let url = '';
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		void (async () => {
			const path = (req.url ?? '/').split('?')[0];
			const file = /^\/files\/([^/]+)\.mp4$/.exec(path);
			if (file && req.method === 'GET') {
				const size = sizes.get(decodeURIComponent(file[1]));
				if (size === undefined) {
					res.writeHead(404).end();
					return;
				}
				res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(size) });
				Readable.from(chunks(size)).pipe(res);
				return;
			}
			const body = await readBody(req);
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) {
				if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))
					headers[k] = v;
			}
			const answer = await fetch(simUrl + (req.url ?? '/'), {
				method: req.method,
				headers,
				body: body.length ? body : undefined,
			});
			const text = (await answer.text()).split(simUrl).join(url);
			res.writeHead(answer.status, {
				'content-type': answer.headers.get('content-type') ?? 'application/json',
			});
			res.end(text);
		})().catch((error: unknown) => {
			res.writeHead(502).end(String(error));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return { url, server };
}

async function runwayJson(
	simBase: string,
	key: string,
	method: string,
	path: string,
	body?: unknown,
): Promise<Record<string, unknown>> {
	const res = await fetch(simBase + path, {
		method,
		headers: {
			Authorization: `Bearer ${key}`,
			'X-Runway-Version': RUNWAY_VERSION,
			...(body ? { 'Content-Type': 'application/json' } : {}),
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const json = (await res.json()) as Record<string, unknown>;
	if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
	return json;
}

function runChild(mode: Mode, config: ChildConfig): Promise<ChildResult> {
	return new Promise((resolve, reject) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- a fresh Node process per measured run isolates its peak RSS
		const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--child', mode], {
			env: { ...process.env, ACT_TWO_BENCH_CONFIG: JSON.stringify(config) },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
		child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
		const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (!line) {
				reject(
					new Error(
						`child "${mode}" ended (code ${code}, signal ${signal}) without a result:\n${out}\n${err}`.trim(),
					),
				);
				return;
			}
			resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult);
		});
	});
}

export async function run(): Promise<BenchOutcome> {
	console.log(
		`\n== download-memory: a finished ${fmtMiB(BIG_BYTES)} video into n8n binary data (filesystem mode), one child process each`,
	);
	const sim = await startSimulator({
		timing: { queuedMs: 10, throttledMs: 0, runningMs: 20, progressSteps: 1 },
	});
	const sizes = new Map<string, number>();
	const front = await frontServer(sim.url, sizes);
	try {
		const simBase = sim.baseUrls.runway;
		const create = async () =>
			String(
				(
					await runwayJson(simBase, sim.keys.runway, 'POST', '/v1/character_performance', {
						model: 'act_two',
						character: { type: 'image', uri: sim.staticUrl('character.png') },
						reference: { type: 'video', uri: sim.staticUrl('driving.mp4') },
					})
				).id,
			);
		const warmId = await create();
		const bigId = await create();
		for (const id of [warmId, bigId]) {
			for (let i = 0; ; i++) {
				const t = await runwayJson(simBase, sim.keys.runway, 'GET', `/v1/tasks/${id}`);
				if (t.status === 'SUCCEEDED') break;
				if (i > 100) throw new Error(`simulator task ${id} did not succeed: ${JSON.stringify(t)}`);
				await new Promise((r) => setTimeout(r, 20));
			}
		}
		sizes.set(warmId, WARM_BYTES);
		sizes.set(bigId, BIG_BYTES);
		const config: ChildConfig = {
			baseUrl: `${front.url}/runway`,
			apiKey: sim.keys.runway,
			warm: { taskId: warmId, bytes: WARM_BYTES, sha256: sha256Of(WARM_BYTES) },
			big: { taskId: bigId, bytes: BIG_BYTES, sha256: sha256Of(BIG_BYTES) },
		};

		const results: ChildResult[] = [];
		for (const mode of ['ours', 'baseline'] as const) {
			const r = await runChild(mode, config);
			console.log(
				`  ${mode.padEnd(8)} floor ${fmtMiB(r.floorKiB * 1024)}  peak ${fmtMiB(r.peakKiB * 1024)}  stored ${r.storedBytes} bytes in ${fmtMs(r.ms)}`,
			);
			results.push(r);
		}
		const [ours, base] = results;
		const delta = (r: ChildResult) => (r.peakKiB - r.floorKiB) * 1024;
		console.log('');
		printTable(
			[
				'run',
				'peak RSS',
				'floor RSS (after warm-up)',
				'peak - floor',
				'bytes stored',
				'equals source',
				'time',
			],
			[
				['ours: Act-Two Download Video (stream)', ours],
				['BASELINE: one Buffer + prepareBinaryData', base],
			].map(([name, r]) => {
				const x = r as ChildResult;
				return [
					name as string,
					fmtMiB(x.peakKiB * 1024),
					fmtMiB(x.floorKiB * 1024),
					fmtMiB(delta(x)),
					`${x.storedBytes}`,
					x.problems.length ? 'NO' : 'yes (size + sha256)',
					fmtMs(x.ms),
				];
			}),
		);
		console.log(
			`\nSource: ${BIG_BYTES} bytes, sha256 ${config.big.sha256.slice(0, 16)}…. Ratio baseline/ours: peak RSS ${fmtRatio(
				base.peakKiB / ours.peakKiB,
			)}, peak above floor ${fmtRatio(delta(base) / Math.max(delta(ours), 1))}.` +
				`\nThe floor (n8n-core, the engine, the package loaded and one 1 MiB run done) is paid by both.`,
		);
		const problems = results.flatMap((r) => r.problems.map((p) => `${r.mode}: ${p}`));
		for (const p of problems) console.log(`WRONG: ${p}`);
		return {
			name: 'download-memory',
			ok: problems.length === 0,
			problems,
			summary: [
				{
					metric: `peak RSS, ${fmtMiB(BIG_BYTES)} video`,
					ours: fmtMiB(ours.peakKiB * 1024),
					baseline: fmtMiB(base.peakKiB * 1024),
					ratio: fmtRatio(base.peakKiB / ours.peakKiB),
				},
				{
					metric: 'peak RSS above floor',
					ours: fmtMiB(delta(ours)),
					baseline: fmtMiB(delta(base)),
					ratio: fmtRatio(delta(base) / Math.max(delta(ours), 1)),
				},
				{
					metric: 'bytes stored (source ' + BIG_BYTES + ')',
					ours: String(ours.storedBytes),
					baseline: String(base.storedBytes),
					ratio: '-',
				},
			],
		};
	} finally {
		await new Promise<void>((resolve) => {
			front.server.close(() => resolve());
			front.server.closeAllConnections();
		});
		await sim.close();
	}
}

// -------------------------------------------------------------------------------------------------------------
// Child: one workflow kind, warm-up, measured run, verification

/** BASELINE node: same task read as the package, then the whole video in one Buffer, then prepareBinaryData. */
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool -- bench-only node, never published
class BufferDownload implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Buffer Download (bench baseline)',
		name: 'bufferDownload',
		group: ['transform'],
		version: 1,
		description: 'Downloads a task video into one Buffer',
		defaults: { name: 'Buffer Download' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'runwayApi', required: true }],
		properties: [{ displayName: 'Task ID', name: 'taskId', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const pctx = await providerContext(this, 'runway');
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const taskId = String(this.getNodeParameter('taskId', i));
			const task = await pctx.adapter.get(pctx.client, taskId, 'act_two');
			if (task.status !== 'succeeded' || !task.outputs[0]) {
				throw new NodeOperationError(this.getNode(), `task ${taskId} is ${task.status}`);
			}
			const body = (await this.helpers.httpRequest({
				url: task.outputs[0].url,
				method: 'GET',
				encoding: 'arraybuffer',
				timeout: 300_000,
			})) as Buffer | ArrayBuffer;
			const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
			const binary = await this.helpers.prepareBinaryData(
				buffer,
				videoFileName(taskId),
				'video/mp4',
			);
			out.push({ json: { taskId }, binary: { data: binary }, pairedItem: { item: i } });
		}
		return [out];
	}
}

async function child(mode: Mode): Promise<void> {
	const config = JSON.parse(process.env.ACT_TWO_BENCH_CONFIG ?? '{}') as ChildConfig;
	const harness = await import('../harness');
	await harness.initHarness();
	harness.loadPackage();

	const credentials = { runwayApi: { apiKey: config.apiKey, baseUrl: config.baseUrl } };
	const nodeCredentials = { runwayApi: { id: 'bench-runway', name: 'Runway (bench)' } };
	const downloadOnce = async (taskId: string): Promise<INodeExecutionData> => {
		const download =
			mode === 'ours'
				? harness.node(
						'Download',
						ACT_TWO,
						{
							provider: 'runway',
							resource: 'task',
							operation: 'downloadVideo',
							taskId: '={{ $json.taskId }}',
							binaryPropertyName: 'data',
						},
						{ credentials: nodeCredentials },
					)
				: harness.node(
						'Download',
						BUFFER_NODE,
						{ taskId: '={{ $json.taskId }}' },
						{ credentials: nodeCredentials },
					);
		const wf = harness.chain([
			harness.node('Start', harness.MANUAL_TRIGGER_TYPE),
			harness.node(
				'Items',
				harness.SET_ITEMS_TYPE,
				harness.setItemsParameters([{ json: { taskId } }]),
			),
			download,
		]);
		const result = await harness.runWorkflow(wf, {
			credentials,
			nodeTypes: { [BUFFER_NODE]: BufferDownload },
		});
		if (result.status !== 'success') {
			throw new Error(
				`workflow ${result.status}: ${result.error?.message ?? ''} ${(result.error as { description?: string })?.description ?? ''}`,
			);
		}
		const item = result.outputs('Download')[0];
		if (!item?.binary?.data) throw new Error('no binary output "data"');
		return item;
	};
	const verify = async (item: INodeExecutionData, spec: FileSpec, problems: string[]) => {
		const stream = await harness.readBinaryStream(item, 'data');
		const hash = createHash('sha256');
		let bytes = 0;
		for await (const part of stream) {
			bytes += (part as Buffer).length;
			hash.update(part as Buffer);
		}
		const sha256 = hash.digest('hex');
		if (bytes !== spec.bytes) problems.push(`stored ${bytes} bytes, the source has ${spec.bytes}`);
		if (sha256 !== spec.sha256)
			problems.push(`stored sha256 ${sha256} differs from the source's ${spec.sha256}`);
		return { bytes, sha256 };
	};

	const problems: string[] = [];
	await verify(await downloadOnce(config.warm.taskId), config.warm, problems);
	const floorKiB = process.resourceUsage().maxRSS;
	const t0 = performance.now();
	const item = await downloadOnce(config.big.taskId);
	const ms = performance.now() - t0;
	const peakKiB = process.resourceUsage().maxRSS;
	const stored = await verify(item, config.big, problems);
	const binary = item.binary!.data;
	if (!binary.id)
		problems.push('the video was kept inline (base64 in the item), not in the binary data store');
	const result: ChildResult = {
		mode,
		floorKiB,
		peakKiB,
		ms,
		storedBytes: stored.bytes,
		storedSha256: stored.sha256,
		storedInStore: Boolean(binary.id),
		mimeType: binary.mimeType,
		heapUsedAfter: process.memoryUsage().heapUsed,
		problems,
	};
	console.log(RESULT_PREFIX + JSON.stringify(result));
}

if (process.argv[2] === '--child') {
	child(process.argv[3] as Mode)
		.then(() => process.exit(0))
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
} else if (require.main === module) {
	run()
		.then((outcome) => process.exit(outcome.ok ? 0 : 1))
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
}
