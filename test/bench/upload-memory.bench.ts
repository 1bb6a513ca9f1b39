/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Memory of uploading a binary input to useapi.net (`POST /assets/?name=…`, the raw file as the body). A
 * 150 MiB generated driving video (an MP4 layout lasting 10 s, moov at the end: generated-video.ts) is written
 * to a temp file; in each child process a bench-only source node stores it through n8n's BinaryDataService
 * (filesystem mode) from a file stream, so the input reaches both modes the same way and never sits in the
 * child's memory before the upload. Then, in n8n-core's real engine (test/harness), one child each:
 *   ours      the real Act-Two node, Asset > Upload, provider useapi.net, Use As "Driving Video": it checks the
 *             video's duration by scanning its box headers from a stream and sends getBinaryStream(id) as the
 *             body with a Content-Length (shared/media.ts, providers/useapi.ts, transport/http.ts);
 *   BASELINE  a bench-only node in the same engine doing what the node did before: getBinaryDataBuffer, the
 *             duration read from that Buffer, and the Buffer POSTed to the same /assets URL with the same headers
 *             through the package's own API client (helpers.httpRequestWithAuthentication).
 * The provider simulator (test/simulator) stores the asset and serves it back at the asset's `url`; each child
 * fetches it and checks its size and SHA-256 against the source. Warm-up on 1 MiB, floor, measured run, peak:
 * see child.ts. ACT_TWO_BENCH_MIB sets the size (up to the simulator's 260 MiB body limit).
 *
 * Run alone: node --import tsx test/bench/upload-memory.bench.ts
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { providerContext } from '../../nodes/ActTwo/actions/helpers/context';
import { mp4DurationSeconds } from '../../nodes/ActTwo/core/mp4';
import { drivingDurationProblem } from '../../nodes/ActTwo/actions/helpers/validation';
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
import { VIDEO_SECONDS, videoSpec, writeVideo, type FileSpec } from './generated-video';
import { fmtMiB, type BenchOutcome } from './report';

const ACT_TWO = 'n8n-nodes-act-two.actTwo';
export const SOURCE_NODE = 'bench.fileSource';
const BUFFER_NODE = 'bench.bufferUpload';
const CHILD_TIMEOUT_MS = 120_000;
export const FILE_NAME = 'take-3.mp4';

type Mode = 'ours' | 'baseline';

export interface VideoFile extends FileSpec {
	path: string;
}

interface ChildConfig {
	baseUrl: string;
	apiKey: string;
	warm: VideoFile;
	big: VideoFile;
}

/** What the simulator saw of the measured upload: how the body was announced. */
interface UploadSeen {
	contentLength: string | null;
	transferEncoding: string | null;
	bodyBytes: number;
}

export async function run(): Promise<BenchOutcome> {
	console.log(
		`\n== upload-memory: a ${fmtMiB(BIG_BYTES)} driving video from n8n binary data (filesystem mode) to useapi.net POST /assets, one child process each`,
	);
	const dir = await mkdtemp(path.join(tmpdir(), 'act-two-bench-upload-'));
	const sim = await startSimulator();
	try {
		const file = async (name: string, bytes: number): Promise<VideoFile> => {
			const where = path.join(dir, name);
			await writeVideo(where, bytes);
			return { path: where, ...(await videoSpec(bytes)) };
		};
		const config: ChildConfig = {
			baseUrl: sim.baseUrls.useapi,
			apiKey: sim.keys.useapi,
			warm: await file('warm.mp4', WARM_BYTES),
			big: await file('big.mp4', BIG_BYTES),
		};
		const results: MemoryResult[] = [];
		const seen: UploadSeen[] = [];
		for (const mode of ['ours', 'baseline'] as const) {
			const r = await runChild<MemoryResult>(__filename, mode, config, CHILD_TIMEOUT_MS);
			logResult(r);
			const upload = sim
				.requests()
				.filter((q) => q.method === 'POST' && q.path.includes('/assets'))
				.at(-1);
			seen.push({
				contentLength: upload?.headers['content-length'] ?? null,
				transferEncoding: upload?.headers['transfer-encoding'] ?? null,
				bodyBytes: upload?.body.bytes ?? 0,
			});
			results.push(r);
			sim.reset(); // frees the stored assets
		}
		const outcome = memoryOutcome({
			name: 'upload-memory',
			source: config.big,
			ours: { label: 'ours: Act-Two Asset > Upload (stream)', result: results[0] },
			baseline: { label: 'BASELINE: getBinaryDataBuffer + POST Buffer', result: results[1] },
			note:
				'The floor (n8n-core, the engine, the package loaded and one 1 MiB run done) is paid by both; the input ' +
				'is stored from a file stream in both.\nAs the simulator saw the measured upload: ' +
				(['ours', 'baseline'] as const)
					.map(
						(m, i) =>
							`${m} Content-Length ${seen[i].contentLength ?? '(none)'}, Transfer-Encoding ${seen[i].transferEncoding ?? '(none)'}`,
					)
					.join('; ') +
				'.',
		});
		return outcome;
	} finally {
		await sim.close();
		await rm(dir, { recursive: true, force: true });
	}
}

// -------------------------------------------------------------------------------------------------------------
// Child: one workflow kind, warm-up, measured run, verification

/** Bench-only source: the file at `path` into n8n binary data, from a stream (never one Buffer). */
export class FileSource implements INodeType {
	description = benchNodeDescription(
		'fileSource',
		'Stores a local file as binary data from a stream',
		{
			properties: [{ displayName: 'Path', name: 'path', type: 'string', default: '' }],
		},
	);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const file = String(this.getNodeParameter('path', i));
			const data = await this.helpers.prepareBinaryData(
				createReadStream(file),
				FILE_NAME,
				'video/mp4',
			);
			out.push({ json: {}, binary: { data }, pairedItem: { item: i } });
		}
		return [out];
	}
}

/** BASELINE node: the package's upload before streaming (shared/media.ts loadBinary + useapi upload at HEAD~). */
class BufferUpload implements INodeType {
	description = benchNodeDescription(
		'bufferUpload',
		'Uploads a binary input to useapi.net from one Buffer',
		{ credentials: [{ name: 'useApiNetApi', required: true }] },
	);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const pctx = await providerContext(this, 'useapi');
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const meta = this.helpers.assertBinaryData(i, 'data');
			const data = await this.helpers.getBinaryDataBuffer(i, 'data');
			const problem = drivingDurationProblem(mp4DurationSeconds(data));
			if (problem) throw new NodeOperationError(this.getNode(), problem, { itemIndex: i });
			const asset = (await pctx.client.request({
				method: 'POST',
				url: '/assets/',
				qs: { name: meta.fileName ?? FILE_NAME },
				headers: { 'Content-Type': meta.mimeType },
				body: data,
				retry: 'create',
			})) as IDataObject;
			out.push({ json: { url: asset.url, raw: asset }, pairedItem: { item: i } });
		}
		return [out];
	}
}

async function child(mode: string): Promise<void> {
	const { config, harness, credentials, nodeCredentials } =
		await childSetup<ChildConfig>('useApiNetApi');
	const upload =
		(mode as Mode) === 'ours'
			? harness.node(
					'Upload',
					ACT_TWO,
					{
						provider: 'useapi',
						resource: 'asset',
						operation: 'upload',
						binaryPropertyName: 'data',
						role: 'driving',
					},
					{ credentials: nodeCredentials },
				)
			: harness.node('Upload', BUFFER_NODE, {}, { credentials: nodeCredentials });
	const uploadOnce = async (file: VideoFile): Promise<IDataObject> => {
		const wf = harness.chain([
			harness.node('Start', harness.MANUAL_TRIGGER_TYPE),
			harness.node('Source', SOURCE_NODE, { path: file.path }),
			upload,
		]);
		const result = await harness.runWorkflow(wf, {
			credentials,
			nodeTypes: { [SOURCE_NODE]: FileSource, [BUFFER_NODE]: BufferUpload },
		});
		const source = result.outputs('Source')[0]?.binary?.data;
		if (source && !source.id)
			throw new Error('the source file was kept inline, not in the binary data store');
		return firstOutput(result, 'Upload').json;
	};
	await measureInChild({
		mode,
		warm: config.warm,
		big: config.big,
		once: async (which) => await uploadOnce(config[which]),
		read: async (json) => {
			const res = await fetch(String(json.url));
			if (!res.ok || !res.body) throw new Error(`GET ${String(json.url)}: HTTP ${res.status}`);
			return res.body;
		},
		extra: (json, problems) => {
			// The simulator's own MP4 parser reads the stored file's duration: the generated video is the 10 s MP4 it claims to be.
			const duration = ((json.raw as IDataObject)?.metadata as IDataObject)?.duration;
			if (duration !== VIDEO_SECONDS)
				problems.push(
					`the simulator read a duration of ${String(duration)} s, not ${VIDEO_SECONDS} s`,
				);
			return {};
		},
	});
}

benchEntry(module, run, child);
