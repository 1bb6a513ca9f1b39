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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { RUNWAY_VERSION } from '../../nodes/ActTwo/providers/common/runway-format';
import { providerContext } from '../../nodes/ActTwo/actions/helpers/context';
import { videoFileName } from '../../nodes/ActTwo/transport/download';
import { startSimulator } from '../simulator';
import {
	benchEntry,
	benchNodeDescription,
	BIG_BYTES,
	childSetup,
	firstOutput,
	logResult,
	measureInChild,
	memoryOutcome,
	runChild,
	WARM_BYTES,
	type MemoryResult,
} from './child';
import { videoChunks, videoSpec, type FileSpec } from './generated-video';
import { fmtMiB, type BenchOutcome } from './report';

const ACT_TWO = 'n8n-nodes-act-two.actTwo';
const BUFFER_NODE = 'bench.bufferDownload';
const CHILD_TIMEOUT_MS = 90_000;

type Mode = 'ours' | 'baseline';

interface TaskFile extends FileSpec {
	taskId: string;
}

interface ChildConfig {
	baseUrl: string;
	apiKey: string;
	warm: TaskFile;
	big: TaskFile;
}

interface ChildResult extends MemoryResult {
	storedInStore: boolean;
	mimeType: string;
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
				Readable.from(videoChunks(size)).pipe(res);
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
			warm: { taskId: warmId, ...(await videoSpec(WARM_BYTES)) },
			big: { taskId: bigId, ...(await videoSpec(BIG_BYTES)) },
		};

		const results: ChildResult[] = [];
		for (const mode of ['ours', 'baseline'] as const) {
			const r = await runChild<ChildResult>(__filename, mode, config, CHILD_TIMEOUT_MS);
			logResult(r);
			results.push(r);
		}
		return memoryOutcome({
			name: 'download-memory',
			source: config.big,
			ours: { label: 'ours: Act-Two Download Video (stream)', result: results[0] },
			baseline: { label: 'BASELINE: one Buffer + prepareBinaryData', result: results[1] },
			note: 'The floor (n8n-core, the engine, the package loaded and one 1 MiB run done) is paid by both.',
		});
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
class BufferDownload implements INodeType {
	description = benchNodeDescription('bufferDownload', 'Downloads a task video into one Buffer', {
		credentials: [{ name: 'runwayApi', required: true }],
		properties: [{ displayName: 'Task ID', name: 'taskId', type: 'string', default: '' }],
	});

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

async function child(mode: string): Promise<void> {
	const { config, harness, credentials, nodeCredentials } =
		await childSetup<ChildConfig>('runwayApi');
	const downloadOnce = async (taskId: string): Promise<INodeExecutionData> => {
		const download =
			(mode as Mode) === 'ours'
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
		const item = firstOutput(
			await harness.runWorkflow(wf, { credentials, nodeTypes: { [BUFFER_NODE]: BufferDownload } }),
			'Download',
		);
		if (!item.binary?.data) throw new Error('no binary output "data"');
		return item;
	};
	await measureInChild({
		mode,
		warm: config.warm,
		big: config.big,
		once: async (which) => await downloadOnce(config[which].taskId),
		read: async (item) => await harness.readBinaryStream(item, 'data'),
		extra: (item, problems): Partial<ChildResult> => {
			const binary = item.binary!.data;
			if (!binary.id)
				problems.push(
					'the video was kept inline (base64 in the item), not in the binary data store',
				);
			return { storedInStore: Boolean(binary.id), mimeType: binary.mimeType };
		},
	});
}

benchEntry(module, run, child);
