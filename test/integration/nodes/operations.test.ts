/** Get, Wait (many tasks together), Cancel, Download Video and Upload, chained after Create the way users chain them. */
import type { INode } from 'n8n-workflow';

import {
	chain,
	MANUAL_TRIGGER_TYPE,
	node,
	readBinary,
	runWorkflow,
	SET_ITEMS_TYPE,
	setItemsParameters,
} from '../../harness';
import type { SetItemSpec } from '../../harness';
import { ADAPTERS } from '../../../nodes/ActTwo/providers';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	CHARACTER,
	createRequests,
	credentials,
	errorText,
	expectNoSecrets,
	items,
	OUTPUT,
	pairedIndex,
	PROVIDERS,
	QUICK_POLL,
	requests,
	startsWithFtyp,
	TOO_SHORT,
	urlInputs,
	withSim,
} from './helpers';

jest.setTimeout(30_000);

// Every test has its own simulator and runs concurrently with the others: most of the time is waiting.
const it = test.concurrent;

const flow = (input: SetItemSpec[], ...nodes: INode[]) =>
	chain([
		node('Start', MANUAL_TRIGGER_TYPE),
		node('Items', SET_ITEMS_TYPE, setItemsParameters(input)),
		...nodes,
	]);

const create = (sim: Simulator, provider: SimProvider, extra: Record<string, unknown> = {}) =>
	actTwo(provider, urlInputs(sim, { waitForCompletion: 'none', ...extra }) as never, {}, 'Create');

const op = (
	provider: SimProvider,
	operation: string,
	extra: Record<string, unknown> = {},
	name = 'Op',
) => actTwo(provider, { resource: 'task', operation, ...extra } as never, {}, name);

const opts = (sim: Simulator) => ({ credentials: credentials(sim) });

describe.each(PROVIDERS)('%s: Get and Wait', (provider) => {
	it('Get reads the current status of each task ({{ $json.taskId }} by default)', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow(items(2), create(sim, provider), op(provider, 'get')),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const out = result.outputs('Op');
			expect(out.map(pairedIndex)).toEqual([0, 1]);
			const ids = result.outputs('Create').map((i) => i.json.taskId);
			expect(out.map((i) => i.json.taskId)).toEqual(ids);
			for (const item of out) expect(['queued', 'running']).toContain(item.json.status);
		}));

	it('Wait polls many tasks together until all succeed, paired with their items', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow(
					items(3),
					create(sim, provider),
					op(provider, 'wait', { output: 'task', options: QUICK_POLL }),
				),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const out = result.outputs('Op');
			expect(out.map(pairedIndex)).toEqual([0, 1, 2]);
			expect(out.map((i) => i.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
			expect(out.every((i) => typeof i.json.videoUrl === 'string')).toBe(true);
			expect(createRequests(sim, provider)).toHaveLength(3);
			expectNoSecrets(sim, result.data);
		}));
});

it('Wait with an empty Task ID (the default {{ $json.taskId }} on an item without one) → an error naming the field', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			flow(items(1), op('runway', 'wait', { options: QUICK_POLL })),
			opts(sim),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Task ID is empty');
	}));

it('Get of an unknown task → not_found category, the provider message', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			flow(items(1), op('runway', 'get', { taskId: '00000000-0000-0000-0000-000000000000' })),
			opts(sim),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Runway: Task not found');
		expect(errorText(result)).toMatch(/category: not_found/);
	}));

describe('Cancel', () => {
	it('Runway: cancels a running task; a later Get says cancelled', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow(
					items(1),
					create(sim, 'runway'),
					op('runway', 'cancel'),
					op('runway', 'get', { taskId: '={{ $json.taskId }}' }, 'Get'),
				),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const taskId = result.outputs('Create')[0].json.taskId;
			expect(result.outputs('Op')[0].json).toEqual({ provider: 'runway', taskId, cancelled: true });
			const del = requests(sim, 'runway', 'DELETE');
			expect(del).toHaveLength(1);
			expect(del[0].status).toBe(204);
			expect(result.outputs('Get')[0].json.status).toBe('cancelled');
			expect(sim.tasks()[0].phase).toBe('cancelled');
		}));

	it('useapi.net: cancels via DELETE /tasks/{taskId} (colons kept)', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow(items(1), create(sim, 'useapi'), op('useapi', 'cancel')),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const taskId = String(result.outputs('Create')[0].json.taskId);
			expect(taskId).toMatch(/^user:\d+-runwayml:.+-task:/);
			expect(result.outputs('Op')[0].json).toMatchObject({
				provider: 'useapi',
				taskId,
				cancelled: true,
			});
			const [del] = requests(sim, 'useapi', 'DELETE');
			expect(del.path).toBe(`/useapi/v1/runwayml/tasks/${taskId.replace(/@/g, '%40')}`);
			expect(del.status).toBe(204);
			expect(sim.tasks()[0]).toMatchObject({ phase: 'cancelled', deleted: true });
		}));

	it.each(PROVIDERS.filter((p) => !ADAPTERS[p].capabilities.cancel))(
		'%s: a clear "cannot cancel" error, nothing sent',
		(provider) =>
			withSim(async (sim) => {
				const result = await runWorkflow(
					flow(items(1), op(provider, 'cancel', { taskId: 'abc' })),
					opts(sim),
				);
				expect(result.status).toBe('error');
				expect(result.error?.message).toMatch(/has no way to cancel a task/);
				expect(errorText(result)).toMatch(/Only Runway and useapi\.net can cancel/);
				expect(sim.requests().filter((r) => r.provider === provider)).toHaveLength(0);
			}),
	);
});

describe('Download Video', () => {
	it.each(PROVIDERS)('%s: reads the task again and streams the MP4 into binary data', (provider) =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow(
					items(1),
					actTwo(
						provider,
						urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }) as never,
						{},
						'Create',
					),
					op(provider, 'downloadVideo', { binaryPropertyName: 'clip' }),
				),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const [item] = result.outputs('Op');
			expect(item.json.status).toBe('succeeded');
			expect(item.binary?.clip.mimeType).toBe('video/mp4');
			const bytes = await readBinary(item, 'clip');
			expect(startsWithFtyp(bytes)).toBe(true);
			expect(bytes.length).toBe(OUTPUT.length);
		}),
	);

	it('a task that has not finished → a clear error, no download attempted', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow(items(1), create(sim, 'runway'), op('runway', 'downloadVideo')),
				opts(sim),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/^Task .+ has not finished yet \(status: (queued|running)\)$/,
			);
			expect(sim.requests().filter((r) => r.path.startsWith('/files/'))).toHaveLength(0);
		}));

	it('a 503 spell on the output file is retried and the video still arrives whole', () =>
		withSim(async (sim) => {
			sim.faults.add({ path: '/files/', kind: 'server_error', status: 503, times: 2 });
			const result = await runWorkflow(
				flow(
					items(1),
					actTwo(
						'runway',
						urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }) as never,
						{},
						'Create',
					),
					op('runway', 'downloadVideo'),
				),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const bytes = await readBinary(result.outputs('Op')[0]);
			expect(bytes.equals(OUTPUT)).toBe(true);
			expect(sim.requests().filter((r) => r.path.startsWith('/files/'))).toHaveLength(3);
		}));

	it('an output file that is gone (404) fails the item with not_found, without retrying', () =>
		withSim(async (sim) => {
			sim.faults.add({
				path: '/files/',
				kind: 'status',
				status: 404,
				body: { error: 'Not found' },
			});
			const result = await runWorkflow(
				flow(
					items(1),
					actTwo(
						'runway',
						urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }) as never,
						{},
						'Create',
					),
					op('runway', 'downloadVideo', {}, 'Op'),
				),
				opts(sim),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/404/);
			expect(sim.requests().filter((r) => r.path.startsWith('/files/'))).toHaveLength(1);
		}));
});

describe('Upload, then Create from the asset', () => {
	const fileItem: SetItemSpec = {
		json: {},
		binary: {
			data: { base64: CHARACTER.toString('base64'), mimeType: 'image/png', fileName: 'hero.png' },
		},
	};
	const upload = (provider: SimProvider, extra: Record<string, unknown> = {}) =>
		actTwo(
			provider,
			{
				resource: 'asset',
				operation: 'upload',
				binaryPropertyName: 'data',
				role: 'character',
				...extra,
			} as never,
			{},
			'Upload',
		);
	const createFromAsset = (sim: Simulator, provider: SimProvider) =>
		actTwo(
			provider,
			urlInputs(sim, {
				characterSource: 'asset',
				characterAssetId: '={{ $json.assetId }}',
				waitForCompletion: 'poll',
				options: QUICK_POLL,
			}) as never,
			{},
			'Create',
		);

	it('Runway: the two-step /v1/uploads → runway:// URI (valid 24 h), then a render from it', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow([fileItem], upload('runway'), createFromAsset(sim, 'runway')),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const [asset] = result.outputs('Upload');
			expect(asset.json).toMatchObject({
				provider: 'runway',
				mediaType: 'image',
				assetId: expect.stringMatching(/^runway:\/\//),
			});
			expect(Date.parse(String(asset.json.expiresAt)) - Date.now()).toBeGreaterThan(
				23 * 3600 * 1000,
			);
			const [slot] = requests(sim, 'runway', 'POST', /\/v1\/uploads/);
			expect(slot.body.json).toEqual({ filename: 'hero.png', type: 'ephemeral' });
			const storage = requests(sim, 'runway', 'POST', /^\/runway-storage\//);
			expect(storage).toHaveLength(1);
			expect(storage[0].status).toBe(204);
			// The presigned POST must not carry the API key.
			expect(storage[0].headers.authorization).toBeUndefined();
			const [created] = result.outputs('Create');
			expect(created.json.status).toBe('succeeded');
			expect(
				(createRequests(sim, 'runway')[0].body.json as { character: { uri: string } }).character
					.uri,
			).toBe(asset.json.assetId);
		}));

	it('useapi.net: POST /assets → assetId, then a render from it', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				flow([fileItem], upload('useapi'), createFromAsset(sim, 'useapi')),
				opts(sim),
			);
			expect(errorText(result)).toBe('');
			const [asset] = result.outputs('Upload');
			expect(asset.json).toMatchObject({
				provider: 'useapi',
				mediaType: 'image',
				assetId: expect.stringMatching(/-asset:/),
			});
			expect(asset.json.url).toMatch(/^http/);
			expect(result.outputs('Create')[0].json.status).toBe('succeeded');
			expect(
				(createRequests(sim, 'useapi')[0].body.json as Record<string, string>).character_assetId,
			).toBe(asset.json.assetId);
			// One upload by the Upload node; the Create uploads only the driving URL.
			expect(requests(sim, 'useapi', 'POST', /\/assets/)).toHaveLength(2);
		}));

	it('a driving video of 2 s is refused at upload, naming Driving Video and 3–30 s', () =>
		withSim(async (sim) => {
			const shortItem: SetItemSpec = {
				json: {},
				binary: {
					data: {
						base64: TOO_SHORT.toString('base64'),
						mimeType: 'video/mp4',
						fileName: 'short.mp4',
					},
				},
			};
			const result = await runWorkflow(
				flow([shortItem], upload('useapi', { role: 'driving' })),
				opts(sim),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(
				/Driving Video must last 3–30 seconds; this one lasts 2\.\d s/,
			);
			expect(requests(sim, 'useapi', 'POST')).toHaveLength(0);
		}));

	it.each(PROVIDERS.filter((p) => !ADAPTERS[p].capabilities.uploads))(
		'%s: Upload → "takes public URLs only" error',
		(provider) =>
			withSim(async (sim) => {
				const result = await runWorkflow(flow([fileItem], upload(provider)), opts(sim));
				expect(result.status).toBe('error');
				expect(result.error?.message).toMatch(/has no upload endpoint: it takes public URLs only/);
			}),
	);
});

it("CometAPI Act-One: Create (don't wait) → Wait with model Act-One reads the legacy feed; output binary", () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			flow(
				items(2),
				create(sim, 'comet', {
					model: 'act_one',
					createOptions: { callbackUrl: 'https://hooks.example.com/c' },
				}),
				op('comet', 'wait', { model: 'act_one', output: 'binary', options: QUICK_POLL }),
			),
			opts(sim),
		);
		expect(errorText(result)).toBe('');
		const out = result.outputs('Op');
		expect(out.map(pairedIndex)).toEqual([0, 1]);
		for (const item of out) {
			expect(item.json).toMatchObject({ model: 'act_one', status: 'succeeded' });
			expect(startsWithFtyp(await readBinary(item))).toBe(true);
		}
		expect(requests(sim, 'comet', 'POST', /\/runway\/feed/).length).toBeGreaterThanOrEqual(2);
		expect(requests(sim, 'comet', 'GET')).toHaveLength(0);
	}));

it('Get keeps the colons of a useapi.net task ID in the path', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			flow(items(1), create(sim, 'useapi'), op('useapi', 'get')),
			opts(sim),
		);
		expect(errorText(result)).toBe('');
		const taskId = String(result.outputs('Create')[0].json.taskId);
		const [get] = requests(sim, 'useapi', 'GET', /\/tasks\//);
		expect(get.path).toBe(`/useapi/v1/runwayml/tasks/${taskId.replace(/@/g, '%40')}`);
		expect(get.path).toContain('-task:');
	}));

it('Wait with one unknown task ID under the error output: that item fails (not_found), the others finish', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			flow(
				items(3, (i) => ({ json: { n: i } })),
				create(sim, 'liangxin'),
				actTwo(
					'liangxin',
					{
						resource: 'task',
						operation: 'wait',
						taskId: '={{ $json.taskId.replace(/\\d+$/, (d) => ($itemIndex === 1 ? "999" : d)) }}',
						options: QUICK_POLL,
					} as never,
					{ onError: 'continueErrorOutput' },
					'Op',
				),
			),
			opts(sim),
		);
		expect(result.status).toBe('success');
		const ok = result.outputs('Op', 0);
		const failed = result.outputs('Op', 1);
		expect(ok.map(pairedIndex)).toEqual([0, 2]);
		expect(ok.map((i) => i.json.status)).toEqual(['succeeded', 'succeeded']);
		expect(failed.map(pairedIndex)).toEqual([1]);
		expect(failed[0].json.error).toMatch(/^LiangXin: Task not found: task_runway_act_two_999$/);
		expect(failed[0].json.details).toMatchObject({ category: 'not_found', code: '404' });
	}));

it('Download Video of a failed render → the failure reason, no download', () =>
	withSim(async (sim) => {
		sim.outcomes.next('runway', 'moderation');
		const result = await runWorkflow(
			flow(
				items(1),
				create(sim, 'runway'),
				op('runway', 'wait', { options: { ...QUICK_POLL, onTimeout: 'output' } }, 'Wait'),
				op('runway', 'downloadVideo', { taskId: '={{ $json.taskId }}' }),
			),
			{ ...opts(sim) },
		);
		// Wait already fails on the moderated render; the Download Video node never runs.
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/^Runway: Your input image did not pass our content moderation/,
		);
		expect(errorText(result)).toMatch(/category: moderation/);
		expect(result.runs('Op')).toHaveLength(0);
		const direct = await runWorkflow(
			flow(items(1), op('runway', 'downloadVideo', { taskId: sim.tasks()[0].id })),
			opts(sim),
		);
		expect(direct.status).toBe('error');
		expect(direct.error?.message).toMatch(/did not pass our content moderation/);
		expect(sim.requests().filter((r) => r.path.startsWith('/files/'))).toHaveLength(0);
	}));

it('CometAPI Get of a task it does not know (task_not_exist), category not_found', () =>
	withSim(async (sim) => {
		const result = await runWorkflow(
			flow(items(1), op('comet', 'get', { taskId: 'no-such-task' })),
			opts(sim),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('CometAPI: Task no-such-task does not exist (yet).');
		expect(errorText(result)).toMatch(/category: not_found, code: task_not_exist/);
	}));

it('useapi.net Upload of a type it does not take (image/webp) → refused before sending', () =>
	withSim(async (sim) => {
		const webp: SetItemSpec = {
			json: {},
			binary: {
				data: { base64: CHARACTER.toString('base64'), mimeType: 'image/webp', fileName: 'c.webp' },
			},
		};
		const result = await runWorkflow(
			flow(
				[webp],
				actTwo(
					'useapi',
					{
						resource: 'asset',
						operation: 'upload',
						binaryPropertyName: 'data',
						role: 'character',
					} as never,
					{},
					'Upload',
				),
			),
			opts(sim),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Character: useapi.net does not accept image/webp');
		expect(errorText(result)).toMatch(/Allowed types: image\/png, image\/jpeg/);
		expect(sim.requests().filter((r) => r.provider === 'useapi')).toHaveLength(0);
	}));
