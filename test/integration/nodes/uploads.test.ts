/**
 * Large binary inputs. n8n keeps binary data outside memory and the node streams it to useapi.net: the bytes
 * arrive intact with their size announced, a retried upload reads the file again, and the driving video's
 * length is read from its boxes without loading the file.
 */
import { createHash } from 'node:crypto';

import { runWorkflow } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	binaryInputs,
	CHARACTER,
	createRequests,
	credentials,
	DRIVING,
	errorText,
	mediaItem,
	QUICK_POLL,
	requests,
	TOO_SHORT,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(60_000);

const it = test.concurrent;
const MiB = 1024 * 1024;

/** The MP4 with a `free` box of `bytes` after its ftyp, so its moov box comes that far into the file. */
function padded(mp4: Buffer, bytes: number): Buffer {
	const ftypEnd = mp4.readUInt32BE(0);
	const free = Buffer.alloc(bytes);
	free.writeUInt32BE(bytes, 0);
	free.write('free', 4, 'latin1');
	return Buffer.concat([mp4.subarray(0, ftypEnd), free, mp4.subarray(ftypEnd)]);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const BIG_DRIVING = padded(DRIVING, 24 * MiB);

const uploadDriving = (sim: Simulator, provider: SimProvider, video: Buffer) =>
	runWorkflow(
		workflow(
			[
				{
					json: {},
					binary: {
						data: {
							base64: video.toString('base64'),
							mimeType: 'video/mp4',
							fileName: 'take-3.mp4',
						},
					},
				},
			],
			actTwo(
				provider,
				{
					resource: 'asset',
					operation: 'upload',
					binaryPropertyName: 'data',
					role: 'driving',
				} as never,
				{},
				'Upload',
			),
		),
		{ credentials: credentials(sim) },
	);

/** Create from binary inputs with the 24 MB driving video, polled until it succeeds. */
async function renderBigDriving(sim: Simulator, provider: SimProvider): Promise<void> {
	const result = await runWorkflow(
		workflow(
			[mediaItem({}, BIG_DRIVING)],
			actTwo(provider, binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }) as never),
		),
		{ credentials: credentials(sim) },
	);
	expect(errorText(result)).toBe('');
	expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
}

/** The file useapi.net stored, fetched back from the asset's URL. */
async function storedFile(url: unknown): Promise<Buffer> {
	const res = await fetch(String(url));
	expect(res.status).toBe(200);
	return Buffer.from(await res.arrayBuffer());
}

describe('useapi.net: large files are streamed', () => {
	it('a 24 MB driving video is uploaded byte for byte, with its Content-Length', () =>
		withSim(async (sim) => {
			const result = await uploadDriving(sim, 'useapi', BIG_DRIVING);
			expect(errorText(result)).toBe('');
			const [asset] = result.outputs('Upload');
			expect(asset.json).toMatchObject({ provider: 'useapi', mediaType: 'video' });
			expect(sha256(await storedFile(asset.json.url))).toBe(sha256(BIG_DRIVING));
			const [upload] = requests(sim, 'useapi', 'POST', /\/assets/);
			expect(upload.headers['content-length']).toBe(String(BIG_DRIVING.length));
			expect(upload.body).toMatchObject({ contentType: 'video/mp4', bytes: BIG_DRIVING.length });
		}));

	it('an upload answered 429 is sent again from the first byte', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'useapi',
				method: 'POST',
				path: '/assets',
				kind: 'rate_limit',
				retryAfter: 0,
				times: 1,
			});
			const result = await uploadDriving(sim, 'useapi', BIG_DRIVING);
			expect(errorText(result)).toBe('');
			const uploads = requests(sim, 'useapi', 'POST', /\/assets/);
			expect(uploads.map((u) => u.status)).toEqual([429, 200]);
			const [asset] = result.outputs('Upload');
			expect(sha256(await storedFile(asset.json.url))).toBe(sha256(BIG_DRIVING));
		}));

	it('a 2 s driving video behind 24 MB of other boxes is refused before anything is uploaded', () =>
		withSim(async (sim) => {
			const result = await uploadDriving(sim, 'useapi', padded(TOO_SHORT, 24 * MiB));
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/Driving Video must last 3–30 seconds; this one lasts 2\.\d s/,
			);
			expect(requests(sim, 'useapi', 'POST')).toHaveLength(0);
		}));

	it('Create with a 24 MB binary driving video renders from the streamed asset', () =>
		withSim(async (sim) => {
			await renderBigDriving(sim, 'useapi');
			const uploads = requests(sim, 'useapi', 'POST', /\/assets/);
			expect(uploads.map((u) => u.body.bytes).sort((a, b) => a - b)).toEqual([
				CHARACTER.length,
				BIG_DRIVING.length,
			]);
			expect(createRequests(sim, 'useapi')).toHaveLength(1);
		}));
});

describe('Runway: files over the data-URI limit', () => {
	it('a 24 MB driving video goes through /v1/uploads, whole, and the render uses its runway:// URI', () =>
		withSim(async (sim) => {
			await renderBigDriving(sim, 'runway');
			const [storage] = requests(sim, 'runway', 'POST', /^\/runway-storage\//);
			expect(storage.body.bytes).toBeGreaterThan(BIG_DRIVING.length);
			const body = createRequests(sim, 'runway')[0].body.json as { reference: { uri: string } };
			expect(body.reference.uri).toMatch(/^runway:\/\//);
		}));
});
