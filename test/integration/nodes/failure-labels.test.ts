/**
 * Issue 9 item 7, against the simulator over real HTTP: what a user reads when a render fails, when a create's
 * answer is lost, and when a render already ended. Category and `retryable` come from the provider's reason;
 * each hint fits its case.
 */
import type { INode } from 'n8n-workflow';

import {
	chain,
	MANUAL_TRIGGER_TYPE,
	node,
	runWorkflow,
	SET_ITEMS_TYPE,
	setItemsParameters,
} from '../../harness';
import type { RunResult, SetItemSpec } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	items,
	pairedIndex,
	QUICK_POLL,
	urlInputs,
	waitFor,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

const it = test.concurrent;

const OUTAGE = /failed on its side/i;
const RETRY_NOW = /retry the request immediately/i;
const STILL_RUNNING = /Renders already started/;

const poll = (sim: Simulator, extra: Record<string, unknown> = {}) =>
	urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL, ...extra });

/** Comet Act-One renders, polled on the legacy feed (the simulator's default shape). */
const actOne = (sim: Simulator) =>
	urlInputs(sim, {
		model: 'act_one',
		waitForCompletion: 'poll',
		createOptions: { callbackUrl: 'https://hooks.example.com/comet' },
		options: QUICK_POLL,
	});

/** One render through the node with the error output on: the failed item's JSON. */
async function failedItem(sim: Simulator, provider: SimProvider, params: unknown) {
	const result = await runWorkflow(
		workflow(items(1), actTwo(provider, params as never, { onError: 'continueErrorOutput' }), {
			after: true,
			errorBranch: true,
		}),
		{ credentials: credentials(sim) },
	);
	expect(result.status).toBe('success');
	const [failed] = result.outputs('Act-Two', 1);
	expect(pairedIndex(failed)).toBe(0);
	return failed.json as {
		error: string;
		details: { category: string; code: string; retryable: boolean; description: string };
	};
}

describe('a render that failed on its input → invalid_input, not retryable, a hint about the input', () => {
	it('CometAPI Act-One: legacy status "2" with msg "no face detected"', () =>
		withSim(async (sim) => {
			sim.outcomes.next('comet', 'no_face');
			const failed = await failedItem(sim, 'comet', actOne(sim));
			expect(sim.tasks()[0]).toMatchObject({ api: 'comet-act-one', phase: 'failed' });
			expect(failed.error).toBe('CometAPI: no face detected');
			expect(failed.details).toMatchObject({ category: 'invalid_input', retryable: false });
			expect(failed.details.description).toMatch(/same inputs will fail again/);
			expect(failed.details.description).not.toMatch(OUTAGE);
		}));

	it('LiangXin: failCode 501 with the cause in failMsg', () =>
		withSim(async (sim) => {
			sim.outcomes.next('liangxin', 'no_face');
			const failed = await failedItem(sim, 'liangxin', poll(sim));
			expect(failed.error).toBe(
				'LiangXin: Generation failed: no face detected in the character image.',
			);
			expect(failed.details).toMatchObject({
				category: 'invalid_input',
				code: '501',
				retryable: false,
			});
			expect(failed.details.description).toMatch(/fix the character image or the driving video/);
			expect(failed.details.description).not.toMatch(OUTAGE);
		}));

	it.each(['runway', 'useapi'] as const)('%s: failure code ASSET.INVALID', (provider) =>
		withSim(async (sim) => {
			sim.outcomes.next(provider, 'no_face');
			const failed = await failedItem(sim, provider, poll(sim));
			expect(failed.details).toMatchObject({
				category: 'invalid_input',
				code: 'ASSET.INVALID',
				retryable: false,
			});
			expect(failed.details.description).not.toMatch(OUTAGE);
		}),
	);
});

it('Runway SAFETY.INPUT.* → moderation, not retryable', () =>
	withSim(async (sim) => {
		sim.outcomes.next('runway', 'moderation');
		const failed = await failedItem(sim, 'runway', poll(sim));
		expect(failed.details).toMatchObject({
			category: 'moderation',
			code: 'SAFETY.INPUT.IMAGE',
			retryable: false,
		});
		expect(failed.details.description).toMatch(/Do not retry the same inputs/);
	}));

it('Runway INTERNAL.BAD_OUTPUT.CODE01 → provider, retryable, a hint that says the provider marks it temporary', () =>
	withSim(async (sim) => {
		sim.outcomes.next('runway', 'error');
		const failed = await failedItem(sim, 'runway', poll(sim));
		expect(failed.details).toMatchObject({
			category: 'provider',
			code: 'INTERNAL.BAD_OUTPUT.CODE01',
			retryable: true,
		});
		expect(failed.details.description).toMatch(/marks as temporary/);
		expect(failed.details.description).toMatch(/may bill\) a new render/);
		expect(failed.details.description).not.toMatch(OUTAGE);
	}));

describe('a create whose answer is lost or a 5xx → may have started and be billed, how to check, never "retry immediately"', () => {
	const CREATE: Record<SimProvider, RegExp> = {
		runway: /\/v1\/character_performance$/,
		useapi: /\/gen4\/act-two$/,
		comet: /\/runwayml\/v1\/character_performance$/,
		liangxin: /\/api\/v1\/jobs\/createTask$/,
		aiml: /\/v2\/video\/generations$/,
		muapi: /\/runway-act-two-i2v$/,
	};
	const ambiguous = (result: RunResult) => {
		expect(result.status).toBe('error');
		const text = errorText(result);
		expect(text).toMatch(/the render may have started and may be billed/);
		expect(text).toMatch(/Before trying again, look for a render started at this time in /);
		expect(text).not.toMatch(RETRY_NOW);
		return text;
	};

	it.each(['runway', 'liangxin', 'aiml', 'muapi'] as const)(
		'%s: HTTP 500 on the create',
		(provider) =>
			withSim(async (sim) => {
				sim.faults.add({
					provider,
					method: 'POST',
					path: CREATE[provider],
					kind: 'server_error',
					status: 500,
					times: 1,
				});
				const result = await runWorkflow(workflow(items(1), actTwo(provider, poll(sim) as never)), {
					credentials: credentials(sim),
				});
				ambiguous(result);
				expect(createRequests(sim, provider)).toHaveLength(1);
			}),
	);

	it.each(['useapi', 'comet', 'aiml'] as const)(
		'%s: connection dropped after the provider took the create',
		(provider) =>
			withSim(async (sim) => {
				sim.faults.add({
					provider,
					method: 'POST',
					path: CREATE[provider],
					kind: 'drop',
					when: 'after',
					times: 1,
				});
				const result = await runWorkflow(workflow(items(1), actTwo(provider, poll(sim) as never)), {
					credentials: credentials(sim),
				});
				const text = ambiguous(result);
				expect(result.error?.message).toMatch(
					/Could not get an answer from the provider: socket hang up \(ECONNRESET\)$/,
				);
				expect(text).toMatch(/category: provider, code: connection/);
				// The render the simulator started: the reason for the warning.
				expect(sim.tasks()).toHaveLength(1);
				expect(createRequests(sim, provider)).toHaveLength(1);
			}),
	);

	it('under Continue On Fail the error item says so too, with retryable false', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'runway',
				method: 'POST',
				path: CREATE.runway,
				kind: 'drop',
				when: 'after',
				times: 1,
			});
			const failed = await failedItem(sim, 'runway', poll(sim));
			expect(failed.details).toMatchObject({ category: 'provider', retryable: false });
			expect(failed.details.description).toMatch(/may have started and may be billed/);
			expect(failed.details.description).toMatch(/Runway developer portal/);
			expect(failed.details.description).not.toMatch(RETRY_NOW);
		}));
});

describe('an error about a render that already ended does not say renders are still running', () => {
	const flow = (input: SetItemSpec[], ...nodes: INode[]) =>
		chain([
			node('Start', MANUAL_TRIGGER_TYPE),
			node('Items', SET_ITEMS_TYPE, setItemsParameters(input)),
			...nodes,
		]);

	it('Wait on a render that has already failed', () =>
		withSim(async (sim) => {
			sim.outcomes.next('runway', 'no_face');
			const create = actTwo(
				'runway',
				urlInputs(sim, { waitForCompletion: 'none' }) as never,
				{},
				'Create',
			);
			// The render ends before Wait reads it: a Wait node that runs later, on an ended render.
			const wait = actTwo(
				'runway',
				{ resource: 'task', operation: 'wait', options: QUICK_POLL } as never,
				{},
				'Wait',
			);
			const created = await runWorkflow(flow(items(1), create), {
				credentials: credentials(sim),
			});
			const taskId = String(created.outputs('Create')[0].json.taskId);
			await waitFor(() => sim.tasks()[0]?.phase === 'failed', 5000);
			const result = await runWorkflow(flow([{ json: { taskId } }], wait), {
				credentials: credentials(sim),
			});
			expect(result.status).toBe('error');
			const text = errorText(result);
			expect(text).toMatch(/category: invalid_input/);
			expect(text).toMatch(/fix the character image or the driving video/);
			expect(text).not.toMatch(STILL_RUNNING);
			expect(text).not.toMatch(OUTAGE);
		}));

	it('Create with Poll Until Done whose only render failed', () =>
		withSim(async (sim) => {
			sim.outcomes.next('runway', 'no_face');
			const result = await runWorkflow(workflow(items(1), actTwo('runway', poll(sim) as never)), {
				credentials: credentials(sim),
			});
			expect(result.status).toBe('error');
			expect(sim.tasks()[0].phase).toBe('failed');
			expect(errorText(result)).not.toMatch(STILL_RUNNING);
			expect(errorText(result)).toMatch(/category: invalid_input/);
		}));

	it('Create with Poll Until Done, a batch where one render failed and the other succeeded: the success is named, as finished', () =>
		withSim(async (sim) => {
			sim.outcomes.next('runway', 'no_face');
			const result = await runWorkflow(
				workflow(
					items(2),
					actTwo('runway', poll(sim, { options: { ...QUICK_POLL, concurrency: 1 } }) as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			const [failedTask, okTask] = sim.tasks();
			expect([failedTask.phase, okTask.phase]).toEqual(['failed', 'succeeded']);
			const text = errorText(result);
			expect(text).not.toMatch(STILL_RUNNING);
			expect(text).toContain(
				`Renders that succeeded, whose results this error leaves out (use Get with these IDs): item 1: ${okTask.id}`,
			);
			expect(text).not.toContain(failedTask.id);
		}));
});
