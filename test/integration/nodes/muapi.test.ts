/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Muapi through the Act-Two node, against the simulator over real HTTP (providers.md 7 B): the two create
 * endpoints, what Muapi does not take, uploads and their URLs as Asset IDs, failed predictions read as HTTP 400,
 * FastAPI errors, the documented answer variants, and ?webhook= callbacks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode, INodeProperties } from 'n8n-workflow';

import { ActTwo } from '../../../nodes/ActTwo/ActTwo.node';
import { validateCreateOptions } from '../../../nodes/ActTwo/actions/helpers/validation';
import { muapiAdapter } from '../../../nodes/ActTwo/providers/muapi/adapter';
import {
	chain,
	MANUAL_TRIGGER_TYPE,
	node,
	readBinary,
	runWorkflow,
	SET_ITEMS_TYPE,
	setItemsParameters,
	stopWaitingRuns,
} from '../../harness';
import type { SetItemSpec, WorkflowJson } from '../../harness';
import type { Simulator, SimulatorOptions } from '../../simulator';
import {
	actTwo,
	CHARACTER,
	binaryInputs,
	createRequests,
	credentials,
	DRIVING,
	errorText,
	expectNoSecrets,
	items,
	mediaItem,
	nodeCredentials,
	OUTPUT,
	QUICK_POLL,
	receiver,
	requests,
	ROOT,
	urlInputs,
	waitFor,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

const it = test.concurrent;

afterAll(() => stopWaitingRuns());

const poll = (sim: Simulator, extra: Record<string, unknown> = {}) =>
	urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL, ...extra });

const flow = (input: SetItemSpec[], ...nodes: INode[]) =>
	chain([
		node('Start', MANUAL_TRIGGER_TYPE),
		node('Items', SET_ITEMS_TYPE, setItemsParameters(input)),
		...nodes,
	]);

const muapiRequests = (sim: Simulator) => requests(sim, 'muapi');
const createBody = (sim: Simulator) => createRequests(sim, 'muapi')[0].body.json;

async function render(sim: Simulator, params: Record<string, unknown>, onError = false) {
	return await runWorkflow(
		workflow(
			items(1),
			actTwo('muapi', params as never, onError ? { onError: 'continueErrorOutput' } : {}),
			onError ? { after: true, errorBranch: true } : {},
		),
		{ credentials: credentials(sim) },
	);
}

describe('Create', () => {
	it('an image character → runway-act-two-i2v with image_url, reference_video_url and the Ratio as aspect_ratio; Poll Until Done ends with the video and its cost in US dollars', () =>
		withSim(async (sim) => {
			const result = await render(
				sim,
				poll(sim, { output: 'binary', createOptions: { ratio: '720:1280' } }),
			);
			expect(errorText(result)).toBe('');
			const [create] = createRequests(sim, 'muapi');
			expect(create.path).toBe('/muapi/api/v1/runway-act-two-i2v');
			expect(create.headers['x-api-key']).toBe('REDACTED');
			expect(create.body.json).toEqual({
				image_url: sim.staticUrl('character.png'),
				reference_video_url: sim.staticUrl('driving.mp4'),
				aspect_ratio: '9:16',
			});
			const [item] = result.outputs('Act-Two');
			expect(item.json).toMatchObject({
				provider: 'muapi',
				taskId: sim.tasks()[0].id,
				status: 'succeeded',
				videoUrl: expect.stringMatching(/\.mp4/),
				cost: { amount: 0.07, unit: 'usd', final: true },
			});
			expect((await readBinary(item)).equals(OUTPUT)).toBe(true);
			// Every status read went to the prediction's result endpoint.
			const reads = requests(sim, 'muapi', 'GET');
			expect(reads.length).toBeGreaterThan(0);
			for (const r of reads)
				expect(r.path).toBe(`/muapi/api/v1/predictions/${sim.tasks()[0].id}/result`);
			expectNoSecrets(sim, result.data);
		}));

	it('a video character → runway-act-two-v2v with video_url (no aspect_ratio unless set); its cost is 0.30 USD', () =>
		withSim(async (sim) => {
			const result = await render(
				sim,
				poll(sim, { characterType: 'video', characterUrl: sim.staticUrl('driving.mp4') }),
			);
			expect(errorText(result)).toBe('');
			expect(createRequests(sim, 'muapi')[0].path).toBe('/muapi/api/v1/runway-act-two-v2v');
			expect(createBody(sim)).toEqual({
				video_url: sim.staticUrl('driving.mp4'),
				reference_video_url: sim.staticUrl('driving.mp4'),
			});
			expect(result.outputs('Act-Two')[0].json).toMatchObject({
				status: 'succeeded',
				cost: { amount: 0.3, unit: 'usd', final: true },
			});
		}));

	it("Don't Wait → the queued task with the charged amount as an estimate (final: false)", () =>
		withSim(async (sim) => {
			const result = await render(sim, urlInputs(sim, { waitForCompletion: 'none' }));
			expect(result.outputs('Act-Two')[0].json).toMatchObject({
				status: 'queued',
				cost: { amount: 0.07, unit: 'usd', final: false },
			});
			expect(requests(sim, 'muapi', 'GET')).toHaveLength(0);
		}));

	it('the older create answer ({request_id} only) and outputs as [{url}] (other Muapi models) still give the task and its video', () =>
		withSim(
			async (sim) => {
				const result = await render(sim, poll(sim));
				expect(errorText(result)).toBe('');
				expect(result.outputs('Act-Two')[0].json).toMatchObject({
					taskId: sim.tasks()[0].id,
					status: 'succeeded',
					videoUrl: expect.stringMatching(/\.mp4/),
				});
			},
			{ muapiCreateShape: 'legacy', muapiOutputs: 'objects' },
		));
});

describe('what Muapi does not take', () => {
	const generation = new ActTwo().description.properties.find((p) => p.name === 'createOptions')!;
	const shownFor = (name: string) => {
		const option = (generation.options as INodeProperties[]).find((o) => o.name === name)!;
		return option.displayOptions?.show?.['/provider'] as string[];
	};

	test('Body Control, Expression Intensity and Seed are hidden for Muapi; Ratio and Callback URL are shown', () => {
		for (const name of ['bodyControl', 'expressionIntensity', 'seed', 'publicFigureThreshold'])
			expect(shownFor(name)).not.toContain('muapi');
		for (const name of ['ratio', 'callbackUrl']) expect(shownFor(name)).toContain('muapi');
	});

	it('set anyway in a saved workflow (imported JSON, provider switched) → n8n removes the hidden values when it loads the workflow: Muapi gets only its own fields', () =>
		withSim(async (sim) => {
			const result = await render(
				sim,
				poll(sim, {
					createOptions: { bodyControl: false, expressionIntensity: 2, seed: 5, ratio: '960:960' },
				}),
			);
			expect(errorText(result)).toBe('');
			expect(createBody(sim)).toEqual({
				image_url: sim.staticUrl('character.png'),
				reference_video_url: sim.staticUrl('driving.mp4'),
				aspect_ratio: '1:1',
			});
		}));

	test('should one reach the node all the same, the layer refuses each by name instead of dropping it', () => {
		const checked = validateCreateOptions(muapiAdapter, 'act_two', {
			bodyControl: false,
			expressionIntensity: 2,
			seed: 5,
			ratio: '960:960',
		});
		expect(checked).toEqual({
			ok: false,
			problems: [
				'Body Control is not taken by Muapi Act-Two: remove it',
				'Expression Intensity is not taken by Muapi Act-Two: remove it',
				'Seed is not taken by Muapi Act-Two: remove it',
			],
		});
		expect(validateCreateOptions(muapiAdapter, 'act_two', { ratio: '960:960' }).ok).toBe(true);
	});

	it('Cancel → "cannot cancel", nothing sent', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(items(1), actTwo('muapi', { resource: 'task', operation: 'cancel', taskId: 'x' })),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/has no way to cancel a task/);
			expect(muapiRequests(sim)).toHaveLength(0);
		}));
});

describe('files', () => {
	it('binary inputs are uploaded to /upload_file (multipart part "file") and the render uses the URLs Muapi returned', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(
					[mediaItem()],
					actTwo('muapi', binaryInputs({ waitForCompletion: 'poll', options: QUICK_POLL })),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			const uploads = requests(sim, 'muapi', 'POST', /\/upload_file$/);
			expect(uploads.map((u) => u.status)).toEqual([200, 200]);
			for (const u of uploads) {
				expect(u.body.contentType).toMatch(/^multipart\/form-data; boundary=/);
				expect(u.headers['x-api-key']).toBe('REDACTED');
			}
			const body = createBody(sim) as Record<string, string>;
			expect(body.image_url).toMatch(/\/files\/muapi\/[^/]+\/character\.png$/);
			expect(body.reference_video_url).toMatch(/\/files\/muapi\/[^/]+\/driving\.mp4$/);
			// The uploaded files are byte for byte the inputs.
			const image = await fetch(body.image_url);
			expect(Buffer.from(await image.arrayBuffer()).equals(CHARACTER)).toBe(true);
			const video = await fetch(body.reference_video_url);
			expect(Buffer.from(await video.arrayBuffer()).equals(DRIVING)).toBe(true);
			expect(result.outputs('Act-Two')[0].json.status).toBe('succeeded');
		}));

	it('Upload → the file URL is the Asset ID; Create from that Asset ID sends it as image_url', () =>
		withSim(async (sim) => {
			const file: SetItemSpec = {
				json: {},
				binary: {
					data: {
						base64: CHARACTER.toString('base64'),
						mimeType: 'image/png',
						fileName: 'hero.png',
					},
				},
			};
			const result = await runWorkflow(
				flow(
					[file],
					actTwo(
						'muapi',
						{ resource: 'asset', operation: 'upload', binaryPropertyName: 'data' } as never,
						{},
						'Upload',
					),
					actTwo(
						'muapi',
						poll(sim, {
							characterSource: 'asset',
							characterAssetId: '={{ $json.assetId }}',
						}) as never,
						{},
						'Create',
					),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(result)).toBe('');
			const [asset] = result.outputs('Upload');
			expect(asset.json).toMatchObject({
				provider: 'muapi',
				mediaType: 'image',
				assetId: expect.stringMatching(/\/files\/muapi\/[^/]+\/hero\.png$/),
			});
			expect(asset.json.url).toBe(asset.json.assetId);
			expect((createBody(sim) as Record<string, string>).image_url).toBe(asset.json.assetId);
			expect(result.outputs('Create')[0].json.status).toBe('succeeded');
		}));

	it('an Asset ID that is not a URL → refused with the rule, nothing sent', () =>
		withSim(async (sim) => {
			const result = await render(
				sim,
				poll(sim, { characterSource: 'asset', characterAssetId: 'asset-123' }),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/Character Asset ID for Muapi must be the URL the Upload operation returned/,
			);
			expect(muapiRequests(sim)).toHaveLength(0);
		}));

	it('an image over Muapi’s 10 MB → refused before anything is uploaded or created', () =>
		withSim(async (sim) => {
			const big = Buffer.alloc(11 * 1024 * 1024, 0);
			CHARACTER.copy(big);
			const item: SetItemSpec = {
				json: {},
				binary: {
					character: { base64: big.toString('base64'), mimeType: 'image/png', fileName: 'big.png' },
					driving: { base64: DRIVING.toString('base64'), mimeType: 'video/mp4', fileName: 'd.mp4' },
				},
			};
			const result = await runWorkflow(
				workflow([item], actTwo('muapi', binaryInputs({ waitForCompletion: 'none' }))),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(errorText(result)).toMatch(/big\.png is 11\.0 MB; Muapi accepts images up to 10 MB/);
			expect(muapiRequests(sim)).toHaveLength(0);
		}));
});

describe('a failed prediction (its result answered with HTTP 400) is a failed render, not a failed request', () => {
	it.each<[string, SimulatorOptions]>([
		['HTTP 400, plain body', {}],
		['HTTP 400, wrapped in detail', { muapiResultShape: 'detail' }],
		['HTTP 200 with status failed', { muapiFailedHttpStatus: '200' }],
	])(
		'%s → Poll Until Done fails the item with Muapi’s reason, category invalid_input, refunded cost 0',
		(_label, opts) =>
			withSim(async (sim) => {
				sim.outcomes.next('muapi', 'no_face');
				const result = await render(sim, poll(sim), true);
				expect(result.status).toBe('success');
				const [failed] = result.outputs('Act-Two', 1);
				expect(failed.json.error).toBe('Muapi: No face detected in the character input');
				const details = failed.json.details as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
				expect(details).toMatchObject({ category: 'invalid_input', retryable: false });
				expect(details.description).toMatch(/could not use the inputs of this render/);
				expect(details.task).toMatchObject({
					status: 'failed',
					taskId: sim.tasks()[0].id,
					cost: { amount: 0, unit: 'usd', final: true },
				});
				// The failed read was read once: not retried as an error.
				const reads = requests(sim, 'muapi', 'GET');
				expect(reads[reads.length - 1].status).toBe(
					opts.muapiFailedHttpStatus === '200' ? 200 : 400,
				);
			}, opts),
	);

	it('Get of a failed prediction → the failed task as output (the Get itself succeeds)', () =>
		withSim(async (sim) => {
			sim.outcomes.next('muapi', 'moderation');
			const created = await render(sim, urlInputs(sim, { waitForCompletion: 'none' }));
			const taskId = String(created.outputs('Act-Two')[0].json.taskId);
			await waitFor(() => sim.tasks()[0].phase === 'failed', 5000);
			const get = await runWorkflow(
				workflow(
					items(1, () => ({ json: { taskId } })),
					actTwo('muapi', { resource: 'task', operation: 'get' } as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(errorText(get)).toBe('');
			expect(get.outputs('Act-Two')[0].json).toMatchObject({
				taskId,
				status: 'failed',
				videoUrl: null,
				error: { category: 'moderation', retryable: false },
			});
			expect(requests(sim, 'muapi', 'GET').map((r) => r.status)).toEqual([400]);
		}));

	it('Get of a prediction Muapi does not know (404) → not_found with its reason', () =>
		withSim(async (sim) => {
			const get = await runWorkflow(
				workflow(
					items(1, () => ({ json: { taskId: 'nope-123' } })),
					actTwo('muapi', { resource: 'task', operation: 'get' } as never),
				),
				{ credentials: credentials(sim) },
			);
			expect(get.status).toBe('error');
			expect(get.error?.message).toBe('Muapi: Prediction not found');
			expect(errorText(get)).toMatch(/category: not_found/);
		}));
});

describe('errors', () => {
	it('a 422 on the create (pydantic issue list) → each issue as "loc: msg", invalid_input, and no "may have started"', () =>
		withSim(async (sim) => {
			sim.faults.add({
				provider: 'muapi',
				method: 'POST',
				path: /runway-act-two/,
				kind: 'status',
				status: 422,
				times: 1,
				body: {
					detail: [
						{
							type: 'missing',
							loc: ['body', 'reference_video_url'],
							msg: 'Field required',
							input: {},
						},
						{
							type: 'literal_error',
							loc: ['body', 'aspect_ratio'],
							msg: "Input should be '16:9' or '9:16'",
							input: '2:1',
						},
					],
				},
			});
			const result = await render(sim, poll(sim));
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				"Muapi: body.reference_video_url: Field required; body.aspect_ratio: Input should be '16:9' or '9:16'",
			);
			const text = errorText(result);
			expect(text).toMatch(/category: invalid_input, code: 422/);
			expect(text).not.toMatch(/may have started/);
			expect(createRequests(sim, 'muapi')).toHaveLength(1);
		}));

	it('a wrong key → auth, with FastAPI’s reason, the key never shown', () =>
		withSim(async (sim) => {
			const creds = credentials(sim);
			const wrongKey = ['sim', 'muapi', 'wrong', 'key', '000000'].join('-');
			creds!.muapiApi = { ...creds!.muapiApi, apiKey: wrongKey };
			const result = await runWorkflow(workflow(items(1), actTwo('muapi', poll(sim) as never)), {
				credentials: creds,
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe('Muapi: Invalid API key');
			expect(errorText(result)).toMatch(/category: auth/);
			expect(JSON.stringify(result.data ?? {})).not.toContain('wrong-key');
		}));
});

describe('callbacks', () => {
	it('a Callback URL is sent as ?webhook= with the credential’s Callback Secret added; Muapi posts the prediction there once it ends', () =>
		withSim(async (sim) => {
			const hook = await receiver();
			try {
				const secret = ['muapi', 'callback', 'secret', '0123'].join('-');
				const result = await runWorkflow(
					workflow(
						items(1),
						actTwo(
							'muapi',
							urlInputs(sim, {
								waitForCompletion: 'none',
								createOptions: { callbackUrl: hook.url },
							}) as never,
						),
					),
					{ credentials: credentials(sim, { muapi: { callbackSecret: secret } }) },
				);
				expect(errorText(result)).toBe('');
				const taskId = String(result.outputs('Act-Two')[0].json.taskId);
				const [create] = createRequests(sim, 'muapi');
				const webhook = new URL(create.path, 'http://sim').searchParams.get('webhook');
				expect(webhook).toBe(`${hook.url}?secret=${secret}`);
				// The body carries only Muapi's fields: the callback is a query parameter.
				expect(Object.keys(create.body.json as object).sort()).toEqual([
					'image_url',
					'reference_video_url',
				]);
				const final = await waitFor(() => hook.received.find((r) => r.body), 5000);
				expect(final.query.secret).toBe(secret);
				expect(final.body).toMatchObject({
					id: taskId,
					status: 'completed',
					outputs: [expect.stringMatching(/\.mp4/)],
				});
				expect(JSON.stringify(result.data)).not.toContain(secret);
			} finally {
				await hook.close();
			}
		}));
});

it('the example workflow (examples/workflows/muapi-act-two.json) parks until Muapi calls back, with the 9:16 ratio and its ?webhook= resume URL', () =>
	withSim(async (sim) => {
		const example = JSON.parse(
			readFileSync(join(ROOT, 'examples', 'workflows', 'muapi-act-two.json'), 'utf8'),
		) as WorkflowJson;
		const render = example.nodes.find((n) => n.type === 'n8n-nodes-act-two.actTwo')!;
		render.parameters = {
			...render.parameters,
			characterUrl: sim.staticUrl('character.png'),
			drivingUrl: sim.staticUrl('driving.mp4'),
		};
		render.credentials = nodeCredentials('muapi');
		const waiting = await runWorkflow(example, {
			credentials: credentials(sim),
			instanceBaseUrl: 'http://127.0.0.1:9/',
		});
		expect(errorText(waiting)).toBe('');
		expect(waiting.status).toBe('waiting');
		const [create] = createRequests(sim, 'muapi');
		expect(new URL(create.path, 'http://sim').searchParams.get('webhook')).toBe(waiting.resumeUrl);
		expect(create.body.json).toMatchObject({ aspect_ratio: '9:16' });
	}));
