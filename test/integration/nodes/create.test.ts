/** Create for every provider: URL, binary and asset inputs, generation options, wait modes, output modes. */
import { readBinary, runWorkflow } from '../../harness';
import { ADAPTERS } from '../../../nodes/ActTwo/providers';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	CHARACTER,
	DRIVING,
	binaryInputs,
	createRequests,
	credentials,
	errorText,
	expectNoSecrets,
	items,
	mediaItem,
	OUTPUT,
	pairedIndex,
	PROVIDERS,
	QUICK_POLL,
	requests,
	startsWithFtyp,
	urlInputs,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

// Every test has its own simulator and runs concurrently with the others: most of the time is waiting.
const it = test.concurrent;

const run = (
	sim: Simulator,
	provider: SimProvider,
	parameters: Record<string, unknown>,
	input = items(1),
) =>
	runWorkflow(workflow(input, actTwo(provider, parameters as never), { after: true }), {
		credentials: credentials(sim),
	});

describe.each(PROVIDERS)('%s: Create from URLs', (provider) => {
	it('poll until done → succeeded task with videoUrl, paired with its item, one create', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				provider,
				urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }),
				items(2),
			);
			expect(errorText(result)).toBe('');
			expect(result.status).toBe('success');
			const out = result.outputs('Act-Two');
			expect(out).toHaveLength(2);
			for (const [i, item] of out.entries()) {
				expect(pairedIndex(item)).toBe(i);
				expect(item.json).toMatchObject({
					provider,
					model: 'act_two',
					status: 'succeeded',
					progress: 1,
					error: null,
					timedOut: false,
					videoUrl: expect.stringMatching(new RegExp(`^${sim.url}/files/.+\\.mp4`)),
				});
				expect(item.json.taskId).toEqual(expect.any(String));
				expect((item.json.outputs as Array<{ url: string }>)[0].url).toBe(item.json.videoUrl);
			}
			expect(new Set(out.map((i) => i.json.taskId)).size).toBe(2);
			expect(createRequests(sim, provider)).toHaveLength(2);
			expect(sim.tasks().map((t) => t.phase)).toEqual(['succeeded', 'succeeded']);
			expect(result.outputs('After')).toHaveLength(2);
			expectNoSecrets(sim, result.data);
		}));

	it("don't wait → the queued task at once, no status reads", () =>
		withSim(async (sim) => {
			const result = await run(sim, provider, urlInputs(sim, { waitForCompletion: 'none' }));
			expect(result.status).toBe('success');
			const [item] = result.outputs('Act-Two');
			expect(item.json).toMatchObject({ provider, status: 'queued', videoUrl: null });
			expect(item.json.taskId).toBe(sim.tasks()[0].id);
			const reads = sim
				.requests()
				.filter((r) => r.provider === provider && !CREATE_OR_UPLOAD.test(r.path));
			expect(reads).toHaveLength(0);
		}));

	it('output "Video URL Only" → a small item with videoUrl', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				provider,
				urlInputs(sim, { waitForCompletion: 'poll', output: 'url', options: QUICK_POLL }),
			);
			expect(result.status).toBe('success');
			const [item] = result.outputs('Act-Two');
			// estimatedCreditsNote comes with an unknown estimate (no credit pricing, or a length unknown before sending).
			expect('estimatedCreditsNote' in item.json).toBe(item.json.estimatedCredits === null);
			const keys = Object.keys(item.json).filter((k) => k !== 'estimatedCreditsNote');
			expect(keys.sort()).toEqual([
				'capacityWaitMs',
				'cost',
				'error',
				'estimatedCredits',
				'model',
				'provider',
				'status',
				'taskId',
				'timedOut',
				'videoUrl',
			]);
			expect(item.json.status).toBe('succeeded');
			expect(item.json.videoUrl).toMatch(/\.mp4/);
			expect(item.binary).toBeUndefined();
		}));

	it('output "Task and Video File" → the MP4 as binary data', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				provider,
				urlInputs(sim, {
					waitForCompletion: 'poll',
					output: 'binary',
					binaryPropertyName: 'video',
					options: QUICK_POLL,
				}),
			);
			expect(result.status).toBe('success');
			const [item] = result.outputs('Act-Two');
			expect(item.json.status).toBe('succeeded');
			expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileExtension: 'mp4' });
			expect(item.binary?.video.fileName).toMatch(/^act-two-.+\.mp4$/);
			const bytes = await readBinary(item, 'video');
			expect(startsWithFtyp(bytes)).toBe(true);
			expect(bytes.equals(OUTPUT)).toBe(true);
		}));
});

const CREATE_OR_UPLOAD =
	/character_performance|act-two|act_one|createTask|assets|uploads|video\/generations$/;

describe('binary inputs', () => {
	it('Runway: small files go inline as data URIs (no upload round trip)', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				'runway',
				binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
				[mediaItem()],
			);
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
			const [create] = createRequests(sim, 'runway');
			const body = create.body.json as {
				character: { type: string; uri: string };
				reference: { type: string; uri: string };
			};
			expect(body.character.type).toBe('image');
			expect(body.character.uri).toMatch(/^data:image\/png;base64,/);
			expect(body.reference).toMatchObject({
				type: 'video',
				uri: expect.stringMatching(/^data:video\/mp4;base64,/),
			});
			expect(requests(sim, 'runway', 'POST', /\/v1\/uploads/)).toHaveLength(0);
		}));

	it('useapi.net: each file is uploaded to /assets, then the create references the asset IDs', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				'useapi',
				binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
				[mediaItem()],
			);
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
			const uploads = requests(sim, 'useapi', 'POST', /\/assets/);
			expect(uploads.map((u) => u.body.contentType).sort()).toEqual(['image/png', 'video/mp4']);
			expect(uploads.every((u) => /[?&]name=/.test(u.path))).toBe(true);
			const [create] = createRequests(sim, 'useapi');
			const body = create.body.json as Record<string, string>;
			expect(body.character_assetId).toMatch(/-asset:/);
			expect(body.driving_assetId).toMatch(/-asset:/);
			expect(body.character_assetId).not.toBe(body.driving_assetId);
		}));

	it('useapi.net: URL inputs are fetched and uploaded as assets (it renders from its own assets only)', () =>
		withSim(async (sim) => {
			const result = await run(sim, 'useapi', urlInputs(sim, { waitForCompletion: 'none' }));
			expect(result.status).toBe('success');
			expect(requests(sim, 'useapi', 'POST', /\/assets/)).toHaveLength(2);
			expect(createRequests(sim, 'useapi')).toHaveLength(1);
		}));

	it.each(PROVIDERS.filter((p) => !ADAPTERS[p].capabilities.uploads))(
		'%s: binary input → a clear "URLs only" error before any request',
		(provider) =>
			withSim(async (sim) => {
				const result = await run(
					sim,
					provider,
					binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
					[mediaItem()],
				);
				expect(result.status).toBe('error');
				expect(result.error?.message).toMatch(/public URLs only/);
				expect(errorText(result)).toMatch(/Source to "URL"/);
				expect(sim.requests().filter((r) => r.provider === provider)).toHaveLength(0);
			}),
	);
});

describe('asset inputs', () => {
	it('useapi.net: asset IDs go straight into the create', () =>
		withSim(async (sim) => {
			const upload = async (bytes: Buffer, type: string, name: string) => {
				const res = await fetch(`${sim.baseUrls.useapi}/assets/?name=${name}`, {
					method: 'POST',
					headers: { authorization: `Bearer ${sim.keys.useapi}`, 'content-type': type },
					body: bytes,
				});
				return ((await res.json()) as { assetId: string }).assetId;
			};
			const characterAssetId = await upload(CHARACTER, 'image/png', 'c');
			const drivingAssetId = await upload(DRIVING, 'video/mp4', 'd');
			const result = await run(sim, 'useapi', {
				resource: 'task',
				operation: 'create',
				characterSource: 'asset',
				characterAssetId,
				drivingSource: 'asset',
				drivingAssetId,
				waitForCompletion: 'poll',
				options: QUICK_POLL,
			});
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
			expect(createRequests(sim, 'useapi')[0].body.json).toMatchObject({
				character_assetId: characterAssetId,
				driving_assetId: drivingAssetId,
			});
			expect(requests(sim, 'useapi', 'POST', /\/assets/)).toHaveLength(2); // only the two made above
		}));

	it.each(['comet', 'liangxin'] as const)('%s: asset input → error, nothing sent', (provider) =>
		withSim(async (sim) => {
			const result = await run(sim, provider, {
				...urlInputs(sim),
				characterSource: 'asset',
				characterAssetId: 'some-asset',
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/has no assets: give the character as a URL/);
			expect(sim.requests().filter((r) => r.provider === provider)).toHaveLength(0);
		}),
	);

	it('Runway: an asset ID that is not a runway:// URI is refused before sending', () =>
		withSim(async (sim) => {
			const result = await run(sim, 'runway', {
				...urlInputs(sim),
				drivingSource: 'asset',
				drivingAssetId: 'user:1-asset:abc',
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/Driving Video Asset ID for Runway must be a runway:\/\/ URI/,
			);
			expect(createRequests(sim, 'runway')).toHaveLength(0);
		}));
});

describe('generation options reach each provider in its own vocabulary', () => {
	const createOptions = {
		ratio: '720:1280',
		bodyControl: false,
		expressionIntensity: 5,
		seed: 42,
		publicFigureThreshold: 'low',
	};

	it('Runway: ratio, bodyControl, expressionIntensity, seed, contentModeration', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				'runway',
				urlInputs(sim, { characterType: 'image', createOptions }),
			);
			expect(result.status).toBe('success');
			const [create] = createRequests(sim, 'runway');
			expect(create.headers['x-runway-version']).toBe('2024-11-06');
			expect(create.body.json).toEqual({
				model: 'act_two',
				character: { type: 'image', uri: sim.staticUrl('character.png') },
				reference: { type: 'video', uri: sim.staticUrl('driving.mp4') },
				ratio: '720:1280',
				bodyControl: false,
				expressionIntensity: 5,
				seed: 42,
				contentModeration: { publicFigureThreshold: 'low' },
			});
		}));

	it('CometAPI Act-Two: the Runway body on its Runway-compatible route, with X-Runway-Version', () =>
		withSim(async (sim) => {
			const result = await run(sim, 'comet', urlInputs(sim, { model: 'act_two', createOptions }));
			expect(result.status).toBe('success');
			const [create] = createRequests(sim, 'comet');
			expect(create.path).toBe('/comet/runwayml/v1/character_performance');
			expect(create.headers['x-runway-version']).toBe('2024-11-06');
			expect(create.body.json).toMatchObject({
				model: 'act_two',
				ratio: '720:1280',
				bodyControl: false,
				expressionIntensity: 5,
				seed: 42,
				contentModeration: { publicFigureThreshold: 'low' },
			});
		}));

	it('useapi.net: ratio → aspect_ratio "9:16", snake_case fields, exploreMode, maxJobs, replyRef, replyUrl', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				'useapi',
				urlInputs(sim, {
					createOptions: {
						ratio: '720:1280',
						bodyControl: false,
						expressionIntensity: 1,
						seed: 2147483647,
						exploreMode: true,
						maxJobs: 5,
						replyRef: 'order-17',
						callbackUrl: 'https://hooks.example.com/act-two?secret=s',
					},
				}),
			);
			expect(errorText(result)).toBe('');
			const [create] = createRequests(sim, 'useapi');
			expect(create.body.json).toEqual({
				driving_assetId: expect.stringMatching(/-asset:/),
				character_assetId: expect.stringMatching(/-asset:/),
				aspect_ratio: '9:16',
				body_control: false,
				expression_intensity: 1,
				seed: 2147483647,
				exploreMode: true,
				maxJobs: 5,
				replyRef: 'order-17',
				replyUrl: 'https://hooks.example.com/act-two?secret=s',
			});
			expect(result.outputs('Act-Two')[0].json.replyRef).toBe('order-17');
		}));

	it.each([
		['1280:720', '16:9'],
		['960:960', '1:1'],
		['1104:832', '4:3'],
		['832:1104', '3:4'],
		['1584:672', '21:9'],
	])('useapi.net: ratio %s → aspect_ratio %s', (ratio, aspect) =>
		withSim(async (sim) => {
			await run(sim, 'useapi', urlInputs(sim, { createOptions: { ratio } }));
			expect(
				(createRequests(sim, 'useapi')[0].body.json as Record<string, unknown>).aspect_ratio,
			).toBe(aspect);
		}),
	);

	it('LiangXin: model runway-act-two, input {character, reference, ratio, body_control, expression_intensity, seed}, callBackUrl', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				'liangxin',
				urlInputs(sim, {
					characterType: 'image',
					createOptions: {
						ratio: '1584:672',
						bodyControl: true,
						expressionIntensity: 2,
						seed: 4294967295,
						callbackUrl: 'https://hooks.example.com/lx',
					},
				}),
			);
			expect(errorText(result)).toBe('');
			expect(createRequests(sim, 'liangxin')[0].body.json).toEqual({
				model: 'runway-act-two',
				callBackUrl: 'https://hooks.example.com/lx',
				input: {
					character: { type: 'image', uri: sim.staticUrl('character.png') },
					reference: { type: 'video', uri: sim.staticUrl('driving.mp4') },
					ratio: '1584:672',
					body_control: true,
					expression_intensity: 2,
					seed: 4294967295,
				},
			});
		}));

	it('a video character is sent as type "video"', () =>
		withSim(async (sim) => {
			await run(
				sim,
				'runway',
				urlInputs(sim, { characterType: 'video', characterUrl: sim.staticUrl('driving.mp4') }),
			);
			expect(
				(createRequests(sim, 'runway')[0].body.json as { character: unknown }).character,
			).toEqual({
				type: 'video',
				uri: sim.staticUrl('driving.mp4'),
			});
		}));
});

describe('CometAPI Act-One', () => {
	it('create on /runway/pro/act_one with video/image URLs, then polled through the legacy feed', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				'comet',
				urlInputs(sim, {
					model: 'act_one',
					waitForCompletion: 'poll',
					output: 'binary',
					createOptions: { callbackUrl: 'https://hooks.example.com/comet' },
					options: QUICK_POLL,
				}),
			);
			expect(errorText(result)).toBe('');
			const [item] = result.outputs('Act-Two');
			expect(item.json).toMatchObject({ provider: 'comet', model: 'act_one', status: 'succeeded' });
			expect(item.json.videoUrl).toMatch(/\.mp4$/);
			expect(startsWithFtyp(await readBinary(item))).toBe(true);
			const [create] = createRequests(sim, 'comet');
			expect(create.path).toBe('/comet/runway/pro/act_one');
			expect(create.body.json).toEqual({
				video: sim.staticUrl('driving.mp4'),
				image: sim.staticUrl('character.png'),
				callback_url: 'https://hooks.example.com/comet',
			});
			const feeds = requests(sim, 'comet', 'POST', /\/runway\/feed/);
			expect(feeds.length).toBeGreaterThan(0);
			expect(feeds[0].body.json).toEqual({ task_id: item.json.taskId });
			expect(sim.tasks()[0]).toMatchObject({ api: 'comet-act-one', model: 'act_one' });
		}));

	it('Act-One refuses a video character and a non-16:9 ratio before sending', () =>
		withSim(async (sim) => {
			const cb = { callbackUrl: 'https://hooks.example.com/comet' };
			const video = await run(
				sim,
				'comet',
				urlInputs(sim, { model: 'act_one', characterType: 'video', createOptions: cb }),
			);
			expect(video.status).toBe('error');
			expect(video.error?.message).toMatch(/Act-One on CometAPI takes a character image/);
			const ratio = await run(
				sim,
				'comet',
				urlInputs(sim, { model: 'act_one', createOptions: { ...cb, ratio: '720:1280' } }),
			);
			expect(ratio.status).toBe('error');
			expect(ratio.error?.message).toMatch(/Ratio must be 1280:720/);
			expect(createRequests(sim, 'comet')).toHaveLength(0);
		}));
});

it('CometAPI Act-One without a Callback URL (poll mode) → a clear error before sending; the API requires callback_url', () =>
	withSim(async (sim) => {
		const result = await run(
			sim,
			'comet',
			urlInputs(sim, { model: 'act_one', waitForCompletion: 'poll', options: QUICK_POLL }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('CometAPI Act-One needs a Callback URL');
		expect(errorText(result)).toMatch(/Until Callback/);
		expect(createRequests(sim, 'comet')).toHaveLength(0);
	}));

it('Runway: a character image over the 5 MB data-URI cap goes through the two-step /v1/uploads as runway://', () =>
	withSim(async (sim) => {
		const big = Buffer.concat([CHARACTER, Buffer.alloc(5 * 1024 * 1024 + 10)]);
		const item = mediaItem();
		item.binary!.character = {
			base64: big.toString('base64'),
			mimeType: 'image/png',
			fileName: 'big.png',
		};
		const result = await run(
			sim,
			'runway',
			binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
			[item],
		);
		expect(errorText(result)).toBe('');
		expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
		const [slot] = requests(sim, 'runway', 'POST', /\/v1\/uploads/);
		expect(slot.body.json).toEqual({ filename: 'big.png', type: 'ephemeral' });
		const [storage] = requests(sim, 'runway', 'POST', /^\/runway-storage\//);
		expect(storage.status).toBe(204);
		expect(storage.body.bytes).toBeGreaterThan(big.length);
		const body = createRequests(sim, 'runway')[0].body.json as {
			character: { uri: string };
			reference: { uri: string };
		};
		expect(body.character.uri).toMatch(/^runway:\/\/ephemeral\//);
		// The small driving video still goes inline.
		expect(body.reference.uri).toMatch(/^data:video\/mp4;base64,/);
	}));
