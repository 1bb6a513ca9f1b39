/** Validation before spending credits: bad parameters and inputs fail before any request reaches the provider. */
import { runWorkflow } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	DRIVING,
	MOV,
	binaryInputs,
	createRequests,
	credentials,
	errorText,
	items,
	mediaItem,
	pairedIndex,
	QUICK_POLL,
	TOO_SHORT,
	urlInputs,
	workflow,
	withSim,
} from './helpers';

jest.setTimeout(30_000);

// Every test has its own simulator and runs concurrently with the others.
const it = test.concurrent;

const providerRequests = (sim: Simulator, provider: SimProvider) =>
	sim.requests().filter((r) => r.provider === provider);

async function expectRefused(
	sim: Simulator,
	provider: SimProvider,
	parameters: Record<string, unknown>,
	message: RegExp,
	input = items(1),
) {
	const result = await runWorkflow(workflow(input, actTwo(provider, parameters as never)), {
		credentials: credentials(sim),
	});
	expect(result.status).toBe('error');
	expect(result.error?.message).toMatch(message);
	expect(providerRequests(sim, provider)).toHaveLength(0);
	expect(sim.tasks()).toHaveLength(0);
	return result;
}

describe('bad generation options → "Invalid parameters", naming the field, nothing sent', () => {
	it.each([
		[
			'runway',
			{ ratio: '16:9' },
			/^Invalid parameters: Ratio must be one of 1280:720, 720:1280, 960:960/,
		],
		[
			'runway',
			{ expressionIntensity: 7 },
			/Expression Intensity must be a whole number from 1 to 5/,
		],
		[
			'comet',
			{ expressionIntensity: 2.5 },
			/Expression Intensity must be a whole number from 1 to 5/,
		],
		['runway', { seed: -1 }, /Seed must be a whole number from 0–4294967295/],
		['liangxin', { seed: 4294967296 }, /Seed must be a whole number from 0–4294967295/],
		['useapi', { seed: 2147483648 }, /Seed must be a whole number from 1–2147483647/],
		['useapi', { maxJobs: 11 }, /Max Jobs must be a whole number from 1 to 10/],
		['useapi', { callbackUrl: 'not a url' }, /Callback URL/],
	] as Array<[SimProvider, Record<string, unknown>, RegExp]>)(
		'%s %j',
		(provider, createOptions, message) =>
			withSim(async (sim) => {
				const result = await expectRefused(
					sim,
					provider,
					urlInputs(sim, { createOptions: createOptions as never }),
					message,
				);
				expect(errorText(result)).toMatch(
					/Nothing was sent to the provider, so no credits were spent/,
				);
			}),
	);

	it('several problems are reported together', () =>
		withSim(async (sim) => {
			const result = await expectRefused(
				sim,
				'runway',
				urlInputs(sim, { createOptions: { ratio: 'x', seed: -5 } }),
				/Ratio .+; Seed /,
			);
			expect(result.error?.message).toMatch(/^Invalid parameters:/);
		}));
});

describe('bad inputs', () => {
	it.each([
		[
			'characterUrl',
			'ftp://example.com/c.png',
			/^Character URL must be an http\(s\) URL; got "ftp:\/\/example\.com\/c\.png"$/,
		],
		['drivingUrl', 'example.com/clip.mp4', /^Driving Video URL must be an http\(s\) URL/],
	])('%s = %s', (field, value, message) =>
		withSim(async (sim) => {
			await expectRefused(sim, 'runway', urlInputs(sim, { [field]: value }), message);
		}),
	);

	it.each(['runway', 'useapi'] as const)(
		'%s: a 2 s driving video (binary) → names "Driving Video" and 3–30 s; zero creates, zero uploads',
		(provider) =>
			withSim(async (sim) => {
				const result = await expectRefused(
					sim,
					provider,
					binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
					/^Driving Video must last 3–30 seconds; this one lasts 2\.\d s$/,
					[mediaItem({}, TOO_SHORT)],
				);
				expect(createRequests(sim, provider)).toHaveLength(0);
				expect(result.runs('Act-Two')[0].error).toBeDefined();
			}),
	);

	it('a missing binary field → an error naming the field', () =>
		withSim(async (sim) => {
			await expectRefused(sim, 'runway', binaryInputs({ drivingBinaryProperty: 'clip' }), /clip/, [
				mediaItem(),
			]);
		}));

	it('a driving "video" that is an image → refused', () =>
		withSim(async (sim) => {
			await expectRefused(
				sim,
				'runway',
				binaryInputs({ drivingBinaryProperty: 'character' }),
				/^Driving Video must be a video; the binary "character" is image\/png$/,
				[mediaItem()],
			);
		}));

	it('Runway callback mode → clear error: Runway has no callbacks', () =>
		withSim(async (sim) => {
			const result = await expectRefused(
				sim,
				'runway',
				urlInputs(sim, { waitForCompletion: 'callback' }),
				/^Runway does not call back$/,
			);
			expect(errorText(result)).toMatch(/Poll Until Done/);
		}));
});

describe('one bad item in a batch', () => {
	// Item 2's seed comes from its JSON and is out of range.
	const batch = items(4, (i) => ({ json: { seed: i === 2 ? -1 : i + 1 } }));
	const parameters = (sim: Simulator) =>
		urlInputs(sim, { createOptions: { seed: '={{ $json.seed }}' } });

	it('without Continue On Fail → the run fails on that item and nothing at all is created', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(batch, actTwo('runway', parameters(sim) as never)),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/Seed must be a whole number/);
			expect(
				(result.error as unknown as { context: { itemIndex: number } }).context.itemIndex,
			).toBe(2);
			expect(createRequests(sim, 'runway')).toHaveLength(0);
			expect(sim.tasks()).toHaveLength(0);
		}));

	it('with the error output → the bad item goes there, the other three are created', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(
					batch,
					actTwo('runway', parameters(sim) as never, { onError: 'continueErrorOutput' }),
					{ after: true, errorBranch: true },
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('success');
			const ok = result.outputs('Act-Two', 0);
			const failed = result.outputs('Act-Two', 1);
			expect(ok.map(pairedIndex)).toEqual([0, 1, 3]);
			expect(failed.map(pairedIndex)).toEqual([2]);
			expect(failed[0].json.error).toMatch(/Seed must be a whole number/);
			expect(failed[0].json).toMatchObject({
				seed: -1,
				details: { description: expect.stringMatching(/no credits were spent/) },
			});
			expect(result.outputs('Errors')).toHaveLength(1);
			expect(
				createRequests(sim, 'runway').map((r) => (r.body.json as { seed: number }).seed),
			).toEqual([1, 2, 4]);
		}));
});

it('a LiangXin credential without a Base URL (it has no default host) → a clear error naming the credential', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			workflow(items(1), actTwo('liangxin', urlInputs(sim) as never)),
			{
				credentials: {
					...credentials(sim),
					liangXinApi: { apiKey: sim.keys.liangxin, baseUrl: '' },
				},
			},
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('The LiangXin credential has no valid Base URL');
		expect(errorText(result)).toMatch(/starting with https:\/\//);
		expect(sim.requests()).toHaveLength(0);
	}));

/** The driving clip with its movie header rewritten to last `seconds`. */
function withDuration(seconds: number): Buffer {
	const copy = Buffer.from(DRIVING);
	const at = copy.indexOf('mvhd', 0, 'latin1');
	const version = copy.readUInt8(at + 4);
	expect(version).toBe(0);
	const timescale = copy.readUInt32BE(at + 4 + 12);
	copy.writeUInt32BE(Math.round(timescale * seconds), at + 4 + 16);
	return copy;
}

it('a 40 s driving video (binary) → refused, naming Driving Video and 3–30 s', () =>
	withSim(async (sim) => {
		await expectRefused(
			sim,
			'runway',
			binaryInputs(),
			/^Driving Video must last 3–30 seconds; this one lasts 40\.0 s$/,
			[mediaItem({}, withDuration(40))],
		);
	}));

it('driving videos of exactly 3 s and 30 s are accepted', () =>
	withSim(async (sim) => {
		for (const seconds of [3, 30]) {
			const result = await runWorkflow(
				workflow([mediaItem({}, withDuration(seconds))], actTwo('runway', binaryInputs() as never)),
				{
					credentials: credentials(sim),
				},
			);
			expect(errorText(result)).toBe('');
		}
		expect(createRequests(sim, 'runway').map((r) => r.status)).toEqual([200, 200]);
	}));

it('a QuickTime (.mov) driving video of 4 s is accepted and sent as video', () =>
	withSim(async (sim) => {
		const item = mediaItem();
		item.binary!.driving = {
			base64: MOV.toString('base64'),
			mimeType: 'video/quicktime',
			fileName: 'take.mov',
		};
		const result = await runWorkflow(workflow([item], actTwo('runway', binaryInputs() as never)), {
			credentials: credentials(sim),
		});
		expect(errorText(result)).toBe('');
		const body = createRequests(sim, 'runway')[0].body.json as {
			reference: { type: string; uri: string };
		};
		expect(body.reference.type).toBe('video');
		expect(body.reference.uri).toMatch(/^data:video\/quicktime;base64,/);
	}));

it('a video character given as a binary file is sent as type "video" (its MIME type decides)', () =>
	withSim(async (sim) => {
		const item = mediaItem();
		item.binary!.character = {
			base64: DRIVING.toString('base64'),
			mimeType: 'video/mp4',
			fileName: 'me.mp4',
		};
		const result = await runWorkflow(workflow([item], actTwo('runway', binaryInputs() as never)), {
			credentials: credentials(sim),
		});
		expect(errorText(result)).toBe('');
		const body = createRequests(sim, 'runway')[0].body.json as {
			character: { type: string; uri: string };
		};
		expect(body.character).toEqual({
			type: 'video',
			uri: expect.stringMatching(/^data:video\/mp4;base64,/),
		});
	}));
