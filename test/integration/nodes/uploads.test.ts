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

describe('Runway: data URIs within 5 MB as sent, larger files streamed through /v1/uploads', () => {
	const MB = 1000 * 1000;
	const DATA_URI_LIMIT = 5 * MB;
	const PREFIX = 'data:video/mp4;base64,';
	/** A driving video (3–30 s) of exactly `bytes` bytes. */
	const video = (bytes: number) => padded(DRIVING, bytes - DRIVING.length);
	/** The largest video whose data URI (prefix + base64) stays within 5 MB. */
	const LARGEST_INLINE = 3 * Math.floor((DATA_URI_LIMIT - PREFIX.length) / 4);

	async function render(sim: Simulator, driving: Buffer) {
		const result = await runWorkflow(
			workflow(
				[mediaItem({}, driving)],
				actTwo('runway', binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }) as never),
			),
			{ credentials: credentials(sim) },
		);
		expect(errorText(result)).toBe('');
		expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
		const [create] = createRequests(sim, 'runway');
		return create.body.json as { character: { uri: string }; reference: { uri: string } };
	}

	/** The driving video went through /v1/uploads: announced, streamed whole, and stored byte for byte. */
	function expectUploaded(sim: Simulator, driving: Buffer, referenceUri: string) {
		expect(referenceUri).toMatch(/^runway:\/\/ephemeral\//);
		expect(requests(sim, 'runway', 'POST', /\/v1\/uploads$/)).toHaveLength(1);
		const storage = requests(sim, 'runway', 'POST', /^\/runway-storage\//);
		expect(storage).toHaveLength(1);
		expect(storage[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(storage[0].headers['content-length']).toBe(String(storage[0].body.bytes));
		expect(storage[0].headers.authorization).toBeUndefined();
		const stored = sim.runwayFile(referenceUri);
		expect(stored?.data.length).toBe(driving.length);
		expect(sha256(stored!.data)).toBe(sha256(driving));
	}

	/** The length of a data URI as the simulator logged it ("data:…(N chars)"). */
	const loggedLength = (uri: string) => Number(/\((\d+) chars\)$/.exec(uri)?.[1]);

	it('a 6 MB driving video goes through /v1/uploads; the small character image stays inline', () =>
		withSim(async (sim) => {
			const driving = video(6 * MB);
			const body = await render(sim, driving);
			expectUploaded(sim, driving, body.reference.uri);
			expect(body.character.uri).toMatch(/^data:image\/png;base64,/);
		}));

	it('a 4.9 MB driving video, 6.5 MB once base64-encoded, goes through /v1/uploads too', () =>
		withSim(async (sim) => {
			const driving = video(4.9 * MB);
			const body = await render(sim, driving);
			expectUploaded(sim, driving, body.reference.uri);
		}));

	it('at the limit: the largest video whose data URI fits goes inline, 1 byte more is uploaded', () =>
		withSim(async (sim) => {
			const inline = await render(sim, video(LARGEST_INLINE));
			expect(inline.reference.uri.startsWith(PREFIX)).toBe(true);
			expect(loggedLength(inline.reference.uri)).toBeLessThanOrEqual(DATA_URI_LIMIT);
			expect(loggedLength(inline.reference.uri)).toBeGreaterThan(DATA_URI_LIMIT - 4);
			expect(requests(sim, 'runway', 'POST', /\/v1\/uploads$/)).toHaveLength(0);
			sim.reset();
			const over = video(LARGEST_INLINE + 1);
			expectUploaded(sim, over, (await render(sim, over)).reference.uri);
		}));

	it('a 24 MB driving video is streamed through /v1/uploads and the render uses its runway:// URI', () =>
		withSim(async (sim) => {
			const body = await render(sim, BIG_DRIVING);
			expectUploaded(sim, BIG_DRIVING, body.reference.uri);
		}));

	it('an upload answered 429 is sent again with the same bytes', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: '/runway-storage/',
				kind: 'rate_limit',
				retryAfter: 0,
				times: 1,
			});
			const driving = video(6 * MB);
			const body = await render(sim, driving);
			const storage = requests(sim, 'runway', 'POST', /^\/runway-storage\//);
			expect(storage.map((r) => r.status)).toEqual([429, 204]);
			expect(storage[0].body.bytes).toBeGreaterThan(driving.length);
			expect(storage[1].body).toEqual(storage[0].body);
			expect(storage[1].headers['content-type']).toBe(storage[0].headers['content-type']);
			expect(storage[1].headers['content-length']).toBe(String(storage[1].body.bytes));
			const stored = sim.runwayFile(body.reference.uri);
			expect(sha256(stored!.data)).toBe(sha256(driving));
		}));
});
