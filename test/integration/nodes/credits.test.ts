/**
 * Credits (issue 10 item 3) against the simulator over real HTTP: the task's `cost` at create, during the
 * render and at the end; each item's estimate before anything is sent (also under Don't Wait); Max Credits
 * refusing a batch with no request sent; providers without credit pricing saying so; null tier limits.
 */
import { runWorkflow, testCredential } from '../../harness';
import { ADAPTERS } from '../../../nodes/ActTwo/providers';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	binaryInputs,
	createRequests,
	credentials,
	DRIVING,
	errorText,
	items,
	mediaItem,
	pairedIndex,
	PROVIDERS,
	QUICK_POLL,
	requests,
	urlInputs,
	waitFor,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(40_000);
const it = test.concurrent;

/** The driving clip with its movie header rewritten to last `seconds`. */
function withDuration(seconds: number): Buffer {
	const copy = Buffer.from(DRIVING);
	const at = copy.indexOf('mvhd', 0, 'latin1');
	expect(copy.readUInt8(at + 4)).toBe(0);
	const timescale = copy.readUInt32BE(at + 4 + 12);
	copy.writeUInt32BE(Math.round(timescale * seconds), at + 4 + 16);
	return copy;
}

const run = (
	sim: Simulator,
	provider: SimProvider,
	parameters: Record<string, unknown>,
	input = [mediaItem()],
	extra: Record<string, unknown> = {},
) =>
	runWorkflow(workflow(input, actTwo(provider, parameters as never, extra)), {
		credentials: credentials(sim),
	});

const get = (sim: Simulator, taskId: string) =>
	run(sim, 'runway', { resource: 'task', operation: 'get', taskId }, [{ json: {} }]);

/** Every request the node made to a provider (uploads, creates, reads). */
const providerRequests = (sim: Simulator, provider: SimProvider) => requests(sim, provider);

it('Runway: cost at create (Don’t Wait), while the render runs, and at the end; the estimate before sending matches Runway’s', () =>
	withSim(
		async (sim) => {
			const created = await run(sim, 'runway', binaryInputs({ waitForCompletion: 'none' }), [
				mediaItem({}, withDuration(5.2)),
			]);
			expect(errorText(created)).toBe('');
			const [item] = created.outputs('Act-Two');
			// 5.2 s of driving video: 6 started seconds × 5 credits.
			expect(item.json).toMatchObject({
				status: 'queued',
				estimatedCredits: 30,
				cost: { amount: 30, unit: 'credits', final: false },
			});
			expect(createRequests(sim, 'runway')).toHaveLength(1);
			const taskId = item.json.taskId as string;

			await waitFor(() => sim.tasks()[0].phase === 'running', 5000);
			const running = (await get(sim, taskId)).outputs('Act-Two')[0].json;
			expect(running).toMatchObject({
				status: 'running',
				cost: { amount: 30, unit: 'credits', final: false },
			});

			await waitFor(() => sim.tasks()[0].phase === 'succeeded', 15_000);
			const done = (await get(sim, taskId)).outputs('Act-Two')[0].json;
			expect(done).toMatchObject({
				status: 'succeeded',
				cost: { amount: 30, unit: 'credits', final: true },
			});
		},
		{ timing: { queuedMs: 300, throttledMs: 0, runningMs: 5000, progressSteps: 4 } },
	));

it('Runway: a render that fails for an internal reason ends refunded: the error item’s task has cost 0, final', () =>
	withSim(async (sim) => {
		sim.outcomes.next('runway', 'error');
		const result = await run(
			sim,
			'runway',
			binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
			[mediaItem()],
			{ onError: 'continueRegularOutput' },
		);
		const [item] = result.outputs('Act-Two');
		expect(item.json.details).toMatchObject({
			task: { status: 'failed', cost: { amount: 0, unit: 'credits', final: true } },
		});
	}));

it('Runway, Poll Until Done: the finished item carries the estimate and the final cost', () =>
	withSim(async (sim) => {
		const result = await run(
			sim,
			'runway',
			binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL }),
			[mediaItem({}, withDuration(7))],
		);
		expect(errorText(result)).toBe('');
		expect(result.outputs('Act-Two')[0].json).toMatchObject({
			status: 'succeeded',
			estimatedCredits: 35,
			cost: { amount: 35, unit: 'credits', final: true },
		});
	}));

it('Max Credits: an over-budget batch sends nothing, and the error lists each item’s estimate and the total', () =>
	withSim(async (sim) => {
		const batch = [mediaItem(), mediaItem({}, withDuration(12.5)), mediaItem({}, withDuration(3))];
		const refused = await run(
			sim,
			'runway',
			binaryInputs({ waitForCompletion: 'none', options: { maxCredits: 100 } }),
			batch,
		);
		expect(refused.status).toBe('error');
		const text = errorText(refused);
		expect(text).toMatch(
			/^Max Credits exceeded: this batch may cost up to 105 credits; Max Credits is 100/,
		);
		expect(text).toContain('item 0: 25 credits (5.0 s driving video)');
		expect(text).toContain('item 1: 65 credits (12.5 s driving video)');
		expect(text).toContain('item 2: 15 credits (3.0 s driving video)');
		expect(text).toContain('Total: 105 credits');
		expect(text).toContain('Nothing was sent to Runway');
		// Not one request reached Runway: no upload, no create.
		expect(providerRequests(sim, 'runway')).toHaveLength(0);
		expect(sim.tasks()).toHaveLength(0);

		const allowed = await run(
			sim,
			'runway',
			binaryInputs({ waitForCompletion: 'none', options: { maxCredits: 105 } }),
			batch,
		);
		expect(errorText(allowed)).toBe('');
		expect(allowed.outputs('Act-Two').map((i) => i.json.estimatedCredits)).toEqual([25, 65, 15]);
		expect(createRequests(sim, 'runway')).toHaveLength(3);
	}));

it('Max Credits under Continue On Fail: every item gets the budget error, paired with it, and nothing is sent', () =>
	withSim(async (sim) => {
		const result = await run(
			sim,
			'runway',
			binaryInputs({ waitForCompletion: 'none', options: { maxCredits: 40 } }),
			[mediaItem(), mediaItem()],
			{ onError: 'continueRegularOutput' },
		);
		const out = result.outputs('Act-Two');
		expect(out.map(pairedIndex)).toEqual([0, 1]);
		for (const item of out) expect(String(item.json.error)).toMatch(/^Max Credits exceeded/);
		expect(providerRequests(sim, 'runway')).toHaveLength(0);
	}));

it('Max Credits with a driving video of unknown length (an asset) refuses rather than guess', () =>
	withSim(async (sim) => {
		const result = await run(
			sim,
			'runway',
			binaryInputs({
				drivingSource: 'asset',
				drivingAssetId: 'runway://ephemeral/00000000-0000-0000-0000-000000000000',
				options: { maxCredits: 1000 },
			}),
		);
		expect(result.status).toBe('error');
		expect(errorText(result)).toMatch(/^Max Credits cannot be checked: no estimate for item 0/);
		expect(errorText(result)).toContain("driving video's duration is unknown");
		expect(providerRequests(sim, 'runway')).toHaveLength(0);
	}));

it('useapi.net: Explore Mode estimates 0 and fits Max Credits 0; without it the same batch is refused before any upload', () =>
	withSim(async (sim) => {
		const explore = await run(
			sim,
			'useapi',
			binaryInputs({
				waitForCompletion: 'none',
				createOptions: { exploreMode: true },
				options: { maxCredits: 0 },
			}),
		);
		expect(errorText(explore)).toBe('');
		expect(explore.outputs('Act-Two')[0].json.estimatedCredits).toBe(0);
		expect(createRequests(sim, 'useapi')).toHaveLength(1);

		sim.reset();
		const paid = await run(
			sim,
			'useapi',
			binaryInputs({ waitForCompletion: 'none', options: { maxCredits: 0 } }),
		);
		expect(errorText(paid)).toMatch(/^Max Credits exceeded: this batch may cost up to 25 credits/);
		expect(providerRequests(sim, 'useapi')).toHaveLength(0);
	}));

const NO_PRICING = PROVIDERS.filter((p) => !ADAPTERS[p].creditPricing);

describe.each(NO_PRICING)('%s (no credit pricing)', (provider) => {
	it('with Max Credits set: refused plainly, nothing sent', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				provider,
				urlInputs(sim, { waitForCompletion: 'none', options: { maxCredits: 1000 } }),
				items(2),
			);
			expect(result.status).toBe('error');
			expect(errorText(result)).toMatch(
				`Max Credits cannot be checked: ${ADAPTERS[provider].displayName} does not price renders in credits`,
			);
			expect(providerRequests(sim, provider)).toHaveLength(0);
		}));

	it('without it: the render starts and the output says there is no estimate', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				provider,
				urlInputs(sim, { waitForCompletion: 'none' }),
				items(1),
			);
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json).toMatchObject({
				status: 'queued',
				estimatedCredits: null,
				estimatedCreditsNote: expect.stringMatching(/does not price renders in credits$/),
			});
			// What it reports itself, if anything, is never in credits (Muapi: US dollars).
			const cost = result.outputs('Act-Two')[0].json.cost as { unit?: string } | null;
			expect(cost === null || cost.unit !== 'credits').toBe(true);
		}));
});

it('a URL driving video is estimated from the length its header gave over range requests (Runway and useapi.net)', () =>
	withSim(async (sim) => {
		for (const provider of ['runway', 'useapi'] as const) {
			const out = await run(sim, provider, urlInputs(sim, { waitForCompletion: 'none' }));
			expect(errorText(out)).toBe('');
			// the simulator's driving.mp4 lasts 5 s: 5 credits per second
			expect(out.outputs('Act-Two')[0].json).toMatchObject({ estimatedCredits: 25 });
		}
		const refused = await run(
			sim,
			'runway',
			urlInputs(sim, { waitForCompletion: 'none', options: { maxCredits: 20 } }),
		);
		expect(errorText(refused)).toMatch(/Max Credits exceeded/);
	}));

it('the Runway credential test accepts an organization whose tier limits are null (unlimited)', () =>
	withSim(
		async (sim) => {
			const result = await testCredential('runwayApi', {
				apiKey: sim.keys.runway,
				baseUrl: sim.baseUrls.runway,
			});
			expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
			const org = await fetch(sim.baseUrls.runway + '/v1/organization', {
				headers: { authorization: `Bearer ${sim.keys.runway}`, 'x-runway-version': '2024-11-06' },
			});
			expect(
				((await org.json()) as { tier: { models: { act_two: unknown } } }).tier.models.act_two,
			).toEqual({
				maxConcurrentGenerations: null,
				maxDailyGenerations: null,
			});
		},
		{ runwayUnlimitedTier: true },
	));
