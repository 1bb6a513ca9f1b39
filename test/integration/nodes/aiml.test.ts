/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * AIML API through the node, against the simulator over real HTTP (providers.md 7 A): the request mapping,
 * the documented variants of its answers (video and error shapes, "succeeded"), its errors, and the clear
 * refusals for what it lacks (callbacks, uploads, assets, cancel), each with nothing sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { readBinary, runWorkflow, type WorkflowJson } from '../../harness';
import { ActTwo } from '../../../nodes/ActTwo/ActTwo.node';
import { ActTwoTrigger } from '../../../nodes/ActTwoTrigger/ActTwoTrigger.node';
import type { Simulator, SimulatorOptions } from '../../simulator';
import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	expectNoSecrets,
	items,
	OUTPUT,
	pairedIndex,
	QUICK_POLL,
	requests,
	ROOT,
	urlInputs,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

const it = test.concurrent;

const aimlRequests = (sim: Simulator) => sim.requests().filter((r) => r.provider === 'aiml');
const statusReads = (sim: Simulator) =>
	requests(sim, 'aiml', 'GET', /\/v2\/video\/generations\?generation_id=/);

const run = (sim: Simulator, parameters: Record<string, unknown>, onError = false, n = 1) =>
	runWorkflow(
		workflow(
			items(n),
			actTwo('aiml', parameters as never, onError ? { onError: 'continueErrorOutput' } : {}),
			{ after: true, errorBranch: onError },
		),
		{ credentials: credentials(sim) },
	);

const poll = (sim: Simulator, extra: Record<string, unknown> = {}) =>
	urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL, ...extra });

/** One render polled to its end on a simulator with these options; the run and its simulator. */
const render = (
	opts: SimulatorOptions,
	check: (sim: Simulator, result: Awaited<ReturnType<typeof run>>) => Promise<void> | void,
	outcome?: 'moderation' | 'no_face' | 'error',
	onError = false,
) =>
	withSim(async (sim) => {
		if (outcome) sim.outcomes.next('aiml', outcome);
		await check(sim, await run(sim, poll(sim), onError));
	}, opts);

describe('AIML API: the create request', () => {
	it('every option it takes, in its own vocabulary: snake_case, {type, url}, frame_size', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				poll(sim, {
					characterType: 'video',
					characterUrl: sim.staticUrl('driving.mp4'),
					createOptions: {
						ratio: '832:1104',
						bodyControl: false,
						expressionIntensity: 5,
						seed: 4294967295,
					},
				}),
			);
			expect(errorText(result)).toBe('');
			const [create] = createRequests(sim, 'aiml');
			expect(create.path).toBe('/aiml/v2/video/generations');
			expect(create.headers.authorization).toBe('Bearer REDACTED');
			expect(create.body.json).toEqual({
				model: 'runway/act_two',
				character: { type: 'video', url: sim.staticUrl('driving.mp4') },
				reference: { type: 'video', url: sim.staticUrl('driving.mp4') },
				frame_size: '832:1104',
				body_control: false,
				expression_intensity: 5,
				seed: 4294967295,
			});
			const [item] = result.outputs('Act-Two');
			expect(item.json).toMatchObject({
				provider: 'aiml',
				status: 'succeeded',
				taskId: sim.tasks()[0].id,
			});
			// Every read asked for this generation by its id.
			expect(statusReads(sim).length).toBeGreaterThan(0);
			for (const r of statusReads(sim))
				expect(r.path).toBe(`/aiml/v2/video/generations?generation_id=${sim.tasks()[0].id}`);
		}));

	it('no options set → only model, character and reference are sent (AIML applies its defaults)', () =>
		withSim(async (sim) => {
			const result = await run(sim, urlInputs(sim, { waitForCompletion: 'none' }));
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json).toMatchObject({
				status: 'queued',
				videoUrl: null,
				estimatedCredits: null,
			});
			expect(createRequests(sim, 'aiml')[0].body.json).toEqual({
				model: 'runway/act_two',
				character: { type: 'image', url: sim.staticUrl('character.png') },
				reference: { type: 'video', url: sim.staticUrl('driving.mp4') },
			});
			expect(statusReads(sim)).toHaveLength(0);
		}));

	it.each([
		[{ seed: 4294967296 }, /Seed must be a whole number from 0–4294967295/],
		[{ seed: 1.5 }, /Seed must be a whole number from 0–4294967295/],
		[{ expressionIntensity: 0 }, /Expression Intensity must be a whole number from 1 to 5/],
		[{ ratio: '848:480' }, /Ratio must be one of 1280:720/],
	])('an option out of its range: %j → refused, nothing sent', (opts, message) =>
		withSim(async (sim) => {
			const result = await run(sim, urlInputs(sim, { createOptions: opts }));
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
			expect(aimlRequests(sim)).toHaveLength(0);
		}),
	);

	it('options it does not take are not shown for it, and never reach it (n8n drops hidden options of a workflow)', () =>
		withSim(async (sim) => {
			const options = new ActTwo().description.properties.find((p) => p.name === 'createOptions')
				?.options as Array<{ name: string; displayOptions?: { show?: Record<string, unknown> } }>;
			const shownFor = (name: string) =>
				(options.find((o) => o.name === name)?.displayOptions?.show?.['/provider'] ??
					[]) as string[];
			for (const name of ['ratio', 'bodyControl', 'expressionIntensity', 'seed'])
				expect(shownFor(name)).toContain('aiml');
			for (const name of [
				'publicFigureThreshold',
				'exploreMode',
				'maxJobs',
				'replyRef',
				'callbackUrl',
			])
				expect(shownFor(name)).not.toContain('aiml');
			// A workflow that carries them anyway (say, copied from another provider's node).
			const result = await run(
				sim,
				urlInputs(sim, {
					waitForCompletion: 'none',
					createOptions: {
						publicFigureThreshold: 'low',
						exploreMode: true,
						maxJobs: 2,
						replyRef: 'mine',
						callbackUrl: 'https://hooks.example.com/aiml',
					},
				}),
			);
			expect(errorText(result)).toBe('');
			expect(Object.keys(createRequests(sim, 'aiml')[0].body.json as object).sort()).toEqual([
				'character',
				'model',
				'reference',
			]);
		}));
});

describe('AIML API: what it does not have → a clear refusal, nothing sent', () => {
	it('Until Callback', () =>
		withSim(async (sim) => {
			const result = await run(sim, urlInputs(sim, { waitForCompletion: 'callback' }));
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('AIML API does not call back');
			expect(errorText(result)).toMatch(/has no completion callbacks. Choose "Poll Until Done"/);
			expect(aimlRequests(sim)).toHaveLength(0);
		}));

	it('an Asset ID input', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				urlInputs(sim, { characterSource: 'asset', characterAssetId: 'asset-1' }),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('AIML API has no assets: give the character as a URL');
			expect(aimlRequests(sim)).toHaveLength(0);
		}));

	it('Cancel names the providers that can, and says the render goes on', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(
					[{ json: { taskId: 'x' } }],
					actTwo('aiml', { resource: 'task', operation: 'cancel' } as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('AIML API has no way to cancel a task');
			expect(errorText(result)).toMatch(/Only .+ can cancel\. The render goes on and is billed/);
			expect(errorText(result)).not.toMatch(/AIML API can cancel|AIML API and/);
			expect(aimlRequests(sim)).toHaveLength(0);
		}));

	it('the Act-Two Trigger does not offer it, and says it has no callbacks', () => {
		const description = new ActTwoTrigger().description;
		const provider = description.properties.find((p) => p.name === 'provider');
		const values = (provider?.options ?? []).map((o) => (o as { value: string }).value);
		expect(values.length).toBeGreaterThan(0);
		expect(values).not.toContain('aiml');
		expect(provider?.description).toMatch(
			/AIML API.* have no callbacks: poll with the Act-Two node/,
		);
		return Promise.resolve();
	});
});

describe('AIML API: the documented answer variants', () => {
	it.each(['array', 'object', 'objects', 'string'] as const)(
		'completed with video as %s → the video, downloaded whole',
		(shape) =>
			render({ aimlVideoShape: shape }, async (sim, result) => {
				expect(errorText(result)).toBe('');
				const [item] = result.outputs('Act-Two');
				expect(item.json.status).toBe('succeeded');
				expect(item.json.videoUrl).toBe(sim.tasks()[0].outputUrl);
				// The documented {url} shape carries meta.usage.credits_used: the charged figure.
				expect(item.json.cost).toEqual(
					shape === 'object' ? { amount: 1260, unit: 'credits', final: true } : null,
				);
				const binary = await runWorkflow(
					workflow(
						[{ json: { taskId: item.json.taskId } }],
						actTwo('aiml', { resource: 'task', operation: 'downloadVideo' } as never),
					),
					{ credentials: credentials(sim) },
				);
				expect(errorText(binary)).toBe('');
				expect((await readBinary(binary.outputs('Act-Two')[0])).equals(OUTPUT)).toBe(true);
			}),
	);

	it('terminal "succeeded" instead of "completed" → succeeded', () =>
		render({ aimlCompletedStatus: 'succeeded' }, (sim, result) => {
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json).toMatchObject({
				status: 'succeeded',
				videoUrl: sim.tasks()[0].outputUrl,
			});
		}));

	it.each([
		[
			'object',
			'moderation',
			{
				category: 'moderation',
				code: 'SAFETY.INPUT.IMAGE',
				retryable: false,
			},
			/^AIML API: Your input image did not pass our content moderation/,
		],
		[
			'detail',
			'no_face',
			{ category: 'invalid_input', code: 'face_detection_error', retryable: false },
			/^AIML API: Could not detect face in the image$/,
		],
		[
			'string',
			'error',
			{ category: 'provider', code: '', retryable: true },
			/^AIML API: An unexpected error occurred while generating the output\. Please try again\.$/,
		],
	] as const)(
		'a failed generation with error as %s (%s) → its reason, category and retryable',
		(shape, outcome, details, message) =>
			render(
				{ aimlErrorShape: shape },
				(sim, result) => {
					expect(result.status).toBe('success');
					const [failed] = result.outputs('Act-Two', 1);
					expect(pairedIndex(failed)).toBe(0);
					expect(failed.json.error).toMatch(message);
					expect(failed.json.details).toMatchObject({
						...details,
						task: { status: 'failed', taskId: sim.tasks()[0].id, outputs: [] },
					});
					expectNoSecrets(sim, result.data);
				},
				outcome,
				true,
			),
	);
});

describe('AIML API: odd answers and errors', () => {
	it('"completed" without any video URL → failed with a clear reason, not a success without a video', () =>
		withSim(async (sim) => {
			const created = await run(sim, urlInputs(sim, { waitForCompletion: 'none' }));
			const taskId = String(created.outputs('Act-Two')[0].json.taskId);
			sim.faults.add({
				provider: 'aiml',
				method: 'GET',
				path: '/v2/video/generations',
				kind: 'status',
				status: 200,
				body: { id: taskId, status: 'completed', video: null, error: null },
				times: 1,
			});
			const get = await runWorkflow(
				workflow(
					[{ json: { taskId } }],
					actTwo('aiml', { resource: 'task', operation: 'get' } as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(get.status).toBe('success');
			expect(get.outputs('Act-Two')[0].json).toMatchObject({
				taskId,
				status: 'failed',
				videoUrl: null,
				error: {
					code: 'no_output',
					category: 'provider',
					message: expect.stringMatching(/completed but its answer carries no video URL/),
				},
			});
		}));

	it('an answer about another generation, or without an id → a malformed read naming AIML API, never another task', () =>
		withSim(async (sim) => {
			for (const [body, text] of [
				[{ status: 'completed', video: ['https://cdn.example.com/x.mp4'] }, 'without a task id'],
				[
					{ id: 'other-generation', status: 'completed', video: ['https://cdn.example.com/x.mp4'] },
					'about another task (other-generation)',
				],
			] as const) {
				sim.faults.add({
					provider: 'aiml',
					method: 'GET',
					path: '/v2/video/generations',
					kind: 'status',
					status: 200,
					body,
					times: 1,
				});
				const get = await runWorkflow(
					workflow(
						[{ json: { taskId: 'gen-1' } }],
						actTwo('aiml', { resource: 'task', operation: 'get' } as never),
					),
					{ credentials: credentials(sim) },
				);
				expect(get.status).toBe('error');
				expect(get.error?.message).toBe(
					`AIML API: AIML API answered the status read of task gen-1 ${text}.`,
				);
				expect(errorText(get)).toMatch(/category: provider, code: malformed_answer/);
			}
		}));

	it('a just-created generation the poll does not find yet (404) is read again; the render still arrives', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'aiml',
				method: 'GET',
				path: '/v2/video/generations',
				kind: 'status',
				status: 404,
				body: { message: 'Generation not found', statusCode: '404' },
				times: 1,
			});
			const result = await run(sim, poll(sim));
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
			expect(statusReads(sim).map((r) => r.status)[0]).toBe(404);
			expect(createRequests(sim, 'aiml')).toHaveLength(1);
		}));

	it('Get of a generation it does not know → not_found, with its message', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(
					[{ json: { taskId: 'no-such-generation' } }],
					actTwo('aiml', { resource: 'task', operation: 'get' } as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				'AIML API: AIML API has no generation no-such-generation (yet): Generation not found',
			);
			expect(errorText(result)).toMatch(/category: not_found, code: task_not_exist/);
		}));

	it('a 429 and a 503 on status reads are retried; one create, the render arrives', () =>
		withSim(async (sim) => {
			for (const [kind, status] of [
				['rate_limit', 429],
				['server_error', 503],
			] as const)
				sim.faults.add({
					provider: 'aiml',
					method: 'GET',
					path: '/v2/video/generations',
					kind,
					status,
					retryAfter: 1,
					times: 1,
				});
			const result = await run(sim, poll(sim));
			expect(errorText(result)).toBe('');
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
			expect(statusReads(sim).map((r) => r.status)).toEqual(
				expect.arrayContaining([429, 503, 200]),
			);
			expect(createRequests(sim, 'aiml')).toHaveLength(1);
		}));

	it.each([
		[
			{ message: 'Body validation error! frame_size: Invalid enum value' },
			/frame_size: Invalid enum/,
		],
		[{ error: { message: 'Something about the seed' } }, /Something about the seed/],
		[{ error: 'The model is under review' }, /The model is under review/],
	])(
		'a 400 on the create in each error body shape (%j) → its message, invalid_input, one request',
		(body, message) =>
			withSim(async (sim) => {
				sim.faults.add({
					provider: 'aiml',
					method: 'POST',
					path: '/v2/video/generations',
					kind: 'status',
					status: 400,
					body,
					times: 1,
				});
				const result = await run(sim, poll(sim));
				expect(result.status).toBe('error');
				expect(result.error?.message).toMatch(message);
				expect(result.error?.message).toMatch(/^AIML API: /);
				expect(errorText(result)).toMatch(/category: invalid_input/);
				expect(createRequests(sim, 'aiml')).toHaveLength(1);
				expect(sim.tasks()).toHaveLength(0);
			}),
	);

	it('a 504 "Generation timeout" on the create → may have started, where to look, never retried', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'aiml',
				method: 'POST',
				path: '/v2/video/generations',
				kind: 'server_error',
				status: 504,
				times: 1,
			});
			const result = await run(sim, poll(sim));
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('AIML API: Generation timeout');
			expect(errorText(result)).toMatch(/may have started and may be billed/);
			expect(errorText(result)).toMatch(/usage history of your AIML API dashboard/);
			expect(createRequests(sim, 'aiml')).toHaveLength(1);
		}));

	it('a batch of three with one out of credits (403) under the error output: that item says credits, the others render', () =>
		withSim(async (sim) => {
			sim.outcomes.next('aiml', 'no_credits');
			const result = await run(
				sim,
				poll(sim, { options: { ...QUICK_POLL, concurrency: 1 } }),
				true,
				3,
			);
			expect(result.status).toBe('success');
			const [failed] = result.outputs('Act-Two', 1);
			expect(pairedIndex(failed)).toBe(0);
			expect(failed.json.error).toMatch(/^AIML API: You've run out of credits/);
			expect(failed.json.details).toMatchObject({ category: 'credits', retryable: false });
			expect(result.outputs('Act-Two', 0).map(pairedIndex)).toEqual([1, 2]);
			expect(sim.tasks()).toHaveLength(2);
		}));
});

it('the example workflow examples/workflows/aiml-act-two.json renders as shipped (URLs pointed at the simulator)', () =>
	withSim(async (sim) => {
		const wf = JSON.parse(
			readFileSync(join(ROOT, 'examples', 'workflows', 'aiml-act-two.json'), 'utf8'),
		) as WorkflowJson;
		const act = wf.nodes.find((n) => n.type === 'n8n-nodes-act-two.actTwo')!;
		expect(Object.keys(act.credentials ?? {})).toEqual(['aimlApi']);
		act.parameters = {
			...act.parameters,
			characterUrl: sim.staticUrl('character.png'),
			drivingUrl: sim.staticUrl('driving.mp4'),
			options: { ...(act.parameters.options as object), ...QUICK_POLL },
		};
		const result = await runWorkflow(wf, { credentials: credentials(sim) });
		expect(errorText(result)).toBe('');
		const [item] = result.outputs('Act-Two');
		expect(item.json).toMatchObject({ provider: 'aiml', status: 'succeeded' });
		expect((await readBinary(item, 'video')).equals(OUTPUT)).toBe(true);
		expect(createRequests(sim, 'aiml')[0].body.json).toMatchObject({
			frame_size: '1280:720',
			body_control: true,
			expression_intensity: 3,
		});
	}));
