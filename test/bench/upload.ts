/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * What the two upload memory benchmarks (useapi.net, Runway) share. Parent: the generated driving videos written
 * to temp files, the simulator, one child per mode, what the simulator saw of each measured upload, the
 * comparison. Child: a bench-only source node that stores the file in n8n's BinaryDataService (filesystem mode)
 * from a file stream, so the input reaches both modes the same way and never sits in the child's memory before
 * the upload; then the upload workflow (the Act-Two node, or the provider's bench-only Buffer node) warmed up,
 * measured and checked (child.ts).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { providerContext, type ProviderContext } from '../../nodes/ActTwo/actions/helpers/context';
import { mp4DurationSeconds } from '../../nodes/ActTwo/core/mp4';
import { drivingDurationProblem } from '../../nodes/ActTwo/actions/helpers/validation';
import { startSimulator, type RecordedRequest, type Simulator } from '../simulator';
import * as child from './child';
import { videoSpec, writeVideo, type FileSpec } from './generated-video';
import { fmtMiB, type BenchOutcome } from './report';

const ACT_TWO = 'n8n-nodes-act-two.actTwo';
const SOURCE_NODE = 'bench.fileSource';
const CHILD_TIMEOUT_MS = 120_000;
const FILE_NAME = 'take-3.mp4';

export interface VideoFile extends FileSpec {
	path: string;
}

/** What a child is handed: the provider's base URL and key, and the two files. */
export interface UploadConfig {
	simUrl: string;
	baseUrl: string;
	apiKey: string;
	warm: VideoFile;
	big: VideoFile;
}

type Provider = 'useapi' | 'runway';

const CREDENTIAL_TYPES: Record<Provider, string> = { useapi: 'useApiNetApi', runway: 'runwayApi' };

/** One provider's upload benchmark: where the video goes and how the BASELINE sends it and the check reads it back. */
export interface UploadSpec {
	provider: Provider;
	/** Where the video goes, for the heading. */
	to: string;
	/** Which request the simulator recorded is the upload of the file. */
	isUpload: (req: RecordedRequest) => boolean;
	baseline: {
		/** What it does, as the table and the bench node's description say it. */
		label: string;
		/** The provider's upload from one Buffer; returns the node's output JSON. */
		send: (
			pctx: ProviderContext,
			data: Buffer,
			meta: IBinaryData,
			fileName: string,
		) => Promise<IDataObject>;
	};
	/** What the provider stored, fetched from the upload node's output. */
	read: (json: IDataObject, config: UploadConfig) => Promise<AsyncIterable<Uint8Array>>;
	/** More checks of the measured upload's output. */
	extra?: (json: IDataObject, problems: string[]) => Record<string, unknown>;
}

/**
 * A benchmark file's upload benchmark: returns its run(); run as a child (`--child <mode>`) the file measures
 * `mode` in that process (child.ts).
 */
export function uploadBench(
	mod: NodeJS.Module,
	file: string,
	spec: UploadSpec,
): () => Promise<BenchOutcome> {
	const run = async () => await runUploadBench(file, spec);
	child.benchEntry(mod, run, async (mode) => await uploadChild(mode, spec));
	return run;
}

/** The parent side: files, simulator, one child per mode, the comparison. */
async function runUploadBench(benchFile: string, o: UploadSpec): Promise<BenchOutcome> {
	const name = path.basename(benchFile).replace(/\.bench\.[jt]s$/, '');
	console.log(
		`\n== ${name}: a ${fmtMiB(child.BIG_BYTES)} driving video from n8n binary data (filesystem mode) to ${o.to}, one child process each`,
	);
	const dir = await mkdtemp(path.join(tmpdir(), `act-two-bench-${name}-`));
	const sim: Simulator = await startSimulator();
	try {
		const file = async (name: string, bytes: number): Promise<VideoFile> => {
			const where = path.join(dir, name);
			await writeVideo(where, bytes);
			return { path: where, ...(await videoSpec(bytes)) };
		};
		const config: UploadConfig = {
			simUrl: sim.url,
			baseUrl: sim.baseUrls[o.provider],
			apiKey: sim.keys[o.provider],
			warm: await file('warm.mp4', child.WARM_BYTES),
			big: await file('big.mp4', child.BIG_BYTES),
		};
		const results: child.MemoryResult[] = [];
		const seen: string[] = [];
		for (const mode of ['ours', 'baseline'] as const) {
			const r = await child.runChild<child.MemoryResult>(benchFile, mode, config, CHILD_TIMEOUT_MS);
			child.logResult(r);
			const upload = sim.requests().filter(o.isUpload).at(-1);
			seen.push(
				`${mode} Content-Length ${upload?.headers['content-length'] ?? '(none)'} for ${upload?.body.bytes ?? 0} bytes, ` +
					`Transfer-Encoding ${upload?.headers['transfer-encoding'] ?? '(none)'}`,
			);
			results.push(r);
			sim.reset(); // frees the stored uploads
		}
		return child.memoryOutcome({
			name,
			source: config.big,
			ours: { label: 'ours: Act-Two Asset > Upload (stream)', result: results[0] },
			baseline: { label: o.baseline.label, result: results[1] },
			note:
				'The floor (n8n-core, the engine, the package loaded and one 1 MiB run done) is paid by both; the input ' +
				`is stored from a file stream in both.\nAs the simulator saw the measured upload: ${seen.join('; ')}.`,
		});
	} finally {
		await sim.close();
		await rm(dir, { recursive: true, force: true });
	}
}

/** Bench-only source: the file at `path` into n8n binary data, from a stream (never one Buffer). */
class FileSource implements INodeType {
	description = child.benchNodeDescription(
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

/**
 * The child side: `mode` 'ours' uploads with the Act-Two node (Asset > Upload, Use As "Driving Video"),
 * 'baseline' with the spec's Buffer node, each warmed up, measured and checked (child.ts).
 */
async function uploadChild(mode: string, o: UploadSpec): Promise<void> {
	const credentialType = CREDENTIAL_TYPES[o.provider];
	const { config, harness, credentials, nodeCredentials } =
		await child.childSetup<UploadConfig>(credentialType);
	const bufferType = `bench.${o.provider}BufferUpload`;
	const upload =
		mode === 'ours'
			? harness.node(
					'Upload',
					ACT_TWO,
					{
						provider: o.provider,
						resource: 'asset',
						operation: 'upload',
						binaryPropertyName: 'data',
						role: 'driving',
					},
					{ credentials: nodeCredentials },
				)
			: harness.node('Upload', bufferType, {}, { credentials: nodeCredentials });
	const uploadOnce = async (file: VideoFile): Promise<IDataObject> => {
		const wf = harness.chain([
			harness.node('Start', harness.MANUAL_TRIGGER_TYPE),
			harness.node('Source', SOURCE_NODE, { path: file.path }),
			upload,
		]);
		const result = await harness.runWorkflow(wf, {
			credentials,
			nodeTypes: { [SOURCE_NODE]: FileSource, [bufferType]: bufferUploadNode(o, credentialType) },
		});
		const source = result.outputs('Source')[0]?.binary?.data;
		if (source && !source.id)
			throw new Error('the source file was kept inline, not in the binary data store');
		return child.firstOutput(result, 'Upload').json;
	};
	await child.measureInChild({
		mode,
		warm: config.warm,
		big: config.big,
		once: async (which) => await uploadOnce(config[which]),
		read: async (json) => await o.read(json, config),
		extra: o.extra,
	});
}

/**
 * The BASELINE upload node: the package as it was before streaming: the whole input read with
 * getBinaryDataBuffer, its duration checked on that Buffer, then the spec's `send` from the Buffer.
 */
function bufferUploadNode(o: UploadSpec, credentialType: string): new () => INodeType {
	return class BufferUpload implements INodeType {
		description = child.benchNodeDescription(`${o.provider}BufferUpload`, o.baseline.label, {
			credentials: [{ name: credentialType, required: true }],
		});

		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const pctx = await providerContext(this, o.provider);
			const out: INodeExecutionData[] = [];
			for (let i = 0; i < this.getInputData().length; i++) {
				const meta = this.helpers.assertBinaryData(i, 'data');
				const data = await this.helpers.getBinaryDataBuffer(i, 'data');
				const problem = drivingDurationProblem(mp4DurationSeconds(data));
				if (problem) throw new NodeOperationError(this.getNode(), problem, { itemIndex: i });
				const json = await o.baseline.send(pctx, data, meta, meta.fileName ?? FILE_NAME);
				out.push({ json, pairedItem: { item: i } });
			}
			return [out];
		}
	};
}
