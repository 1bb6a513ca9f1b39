/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * The Act-Two node inside a real n8n 2.x (the shared instance of global-setup.ts, package installed from
 * `npm pack`), against the provider simulator. Three published workflows, each started once through its
 * production Webhook, cover every operation; everything is asserted through n8n's own execution records.
 */
import { ADAPTER_LIST } from '../../nodes/ActTwo/providers';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../n8n/instance';
import { loadE2e, uniqueWebhookPath, type E2eContext } from './context';
import {
	ACT_TWO,
	ACT_TWO_TRIGGER,
	actTwo,
	createParams,
	describeExecution,
	filesAsOneItem,
	jsonOf,
	noOp,
	runOnce,
	storedBinary,
	webhookTrigger,
	workflow,
} from './workflows/build';

let ctx: E2eContext;
let simUrl: string;
let urls: { character: string; driving: string };
const OUTPUT_MP4 = readFileSync(join(REPO_ROOT, 'examples', 'assets', 'output.mp4'));

interface SimTaskLite {
	provider: string;
	id: string;
	model: string;
	phase: string;
	input: unknown;
	callbackUrl: string | null;
}

beforeAll(async () => {
	ctx = await loadE2e();
	if (!ctx.info.simulator) throw new Error('this suite needs the simulator');
	simUrl = ctx.info.simulator.url;
	urls = { character: `${simUrl}/static/character.png`, driving: `${simUrl}/static/driving.mp4` };
	await ctx.sim('POST', 'reset');
});

function expectSucceeded(task: Record<string, unknown>, provider: string, model = 'act_two') {
	expect(task).toMatchObject({ provider, model, status: 'succeeded' });
	expect(String(task.taskId)).not.toBe('');
	expect(String(task.videoUrl)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/[^/?]+\.mp4(\?.*)?$/);
}

describe('Act-Two package in a real n8n', () => {
	it('is installed as a community package and n8n loaded both node types', async () => {
		expect(ctx.info.package.installed).toBe(true);
		expect(ctx.info.package.nodeTypes).toEqual(expect.arrayContaining([ACT_TWO, ACT_TWO_TRIGGER]));
		const dir = join(ctx.info.n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-act-two');
		expect(existsSync(join(dir, 'package.json'))).toBe(true);
		// the editor's own list, as a user's n8n serves it
		const types = (
			await ctx.n8n.rest<Array<{ name: string; credentials?: Array<{ name: string }> }>>(
				'GET',
				'/types/nodes.json',
				undefined,
				{ raw: true },
			)
		).body;
		const actTwoType = types.find((t) => t.name === ACT_TWO);
		// every credential the package lists, one per provider in the registry
		expect(actTwoType?.credentials?.map((c) => c.name).sort()).toEqual(
			ADAPTER_LIST.map((a) => a.credentialType).sort(),
		);
		expect(types.some((t) => t.name === ACT_TWO_TRIGGER)).toBe(true);
	});

	it('Create (poll) with URL inputs on every provider, Get, Wait, and MP4 bytes out', async () => {
		const cb = (p: 'runway' | 'useapi' | 'comet' | 'liangxin') => ctx.credentialRef(p);
		const path = uniqueWebhookPath('act-two-urls');
		const wf = workflow(
			'url inputs',
			[
				webhookTrigger(path),
				actTwo('Runway Create', cb('runway'), createParams('runway', urls), [1, 0]),
				actTwo(
					'Runway Get',
					cb('runway'),
					{ provider: 'runway', operation: 'get', taskId: '={{ $json.taskId }}' },
					[2, 0],
				),
				actTwo(
					'useapi Create',
					cb('useapi'),
					createParams('useapi', urls, { output: 'binary', binaryPropertyName: 'video' }),
					[3, 0],
				),
				actTwo(
					'Comet Act-Two',
					cb('comet'),
					createParams('comet', urls, { model: 'act_two', output: 'url' }),
					[4, 0],
				),
				actTwo(
					'Comet Act-One',
					cb('comet'),
					createParams('comet', urls, {
						model: 'act_one',
						output: 'url',
						// CometAPI requires callback_url for Act-One; the simulator's own /health takes it
						createOptions: { callbackUrl: `${simUrl}/health` },
					}),
					[5, 0],
				),
				actTwo(
					'LiangXin Create',
					cb('liangxin'),
					createParams('liangxin', urls, { waitForCompletion: 'none' }),
					[6, 0],
				),
				actTwo(
					'LiangXin Wait',
					cb('liangxin'),
					{
						provider: 'liangxin',
						operation: 'wait',
						taskId: '={{ $json.taskId }}',
						output: 'task',
						options: { pollInterval: 1, pollJitter: 0, timeoutMinutes: 2 },
					},
					[7, 0],
				),
			],
			[
				['Webhook', 'Runway Create'],
				['Runway Create', 'Runway Get'],
				['Runway Get', 'useapi Create'],
				['useapi Create', 'Comet Act-Two'],
				['Comet Act-Two', 'Comet Act-One'],
				['Comet Act-One', 'LiangXin Create'],
				['LiangXin Create', 'LiangXin Wait'],
			],
		);
		const exec = await runOnce(ctx.n8n, wf);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});

		const [runway] = jsonOf(exec, 'Runway Create');
		expectSucceeded(runway, 'runway');
		expect(runway.timedOut).toBe(false);
		const [got] = jsonOf(exec, 'Runway Get');
		expectSucceeded(got, 'runway');
		expect(got.taskId).toBe(runway.taskId);

		const useapiRun = exec.data!.resultData.runData['useapi Create'][0].data!.main[0]![0];
		expectSucceeded(useapiRun.json, 'useapi');
		const video = useapiRun.binary?.video;
		expect(video).toBeDefined();
		expect(video!.mimeType).toBe('video/mp4');
		expect(video!.fileName).toMatch(/\.mp4$/);
		expect(video!.fileSize).toBeTruthy();
		const bytes = storedBinary(ctx.info.n8n.userFolder, video!.id);
		if (bytes) {
			expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
			expect(bytes.equals(OUTPUT_MP4)).toBe(true);
		} else {
			throw new Error(`binary not found on disk for id ${String(video!.id)}`);
		}

		const [cometTwo] = jsonOf(exec, 'Comet Act-Two');
		expectSucceeded(cometTwo, 'comet');
		expect(Object.keys(cometTwo).sort()).toEqual(
			[
				'capacityWaitMs',
				'cost',
				'error',
				// CometAPI does not price in credits: null, with the reason
				'estimatedCredits',
				'estimatedCreditsNote',
				'model',
				'provider',
				'status',
				'taskId',
				'timedOut',
				'videoUrl',
			].sort(),
		);
		expect(cometTwo.estimatedCredits).toBeNull();
		const [cometOne] = jsonOf(exec, 'Comet Act-One');
		expectSucceeded(cometOne, 'comet', 'act_one');

		const [lxCreated] = jsonOf(exec, 'LiangXin Create');
		expect(lxCreated).toMatchObject({ provider: 'liangxin' });
		expect(['queued', 'running']).toContain(lxCreated.status);
		const [lx] = jsonOf(exec, 'LiangXin Wait');
		expectSucceeded(lx, 'liangxin');
		expect(lx.taskId).toBe(lxCreated.taskId);

		// what the providers received: the simulator's file URLs, one task each
		const tasks = await ctx.sim<SimTaskLite[]>('GET', 'tasks');
		for (const t of [runway, got, useapiRun.json, cometTwo, cometOne, lx]) {
			expect(tasks.some((s) => s.id === t.taskId && s.phase === 'succeeded')).toBe(true);
		}
		const runwayInput = JSON.stringify(tasks.find((s) => s.id === runway.taskId)!.input);
		expect(runwayInput).toContain(urls.character);
		expect(runwayInput).toContain(urls.driving);
		expect(tasks.find((s) => s.id === cometOne.taskId)!.callbackUrl).toBe(`${simUrl}/health`);
	});

	it('binary in (files read in the workflow) for Runway, Upload to useapi.net and Create from the asset IDs', async () => {
		const cb = (p: 'runway' | 'useapi') => ctx.credentialRef(p);
		const dir = ctx.info.filesDir;
		copyFileSync(join(REPO_ROOT, 'examples', 'assets', 'driving.mp4'), join(dir, 'driving.mp4'));
		copyFileSync(
			join(REPO_ROOT, 'examples', 'assets', 'character.png'),
			join(dir, 'character.png'),
		);
		const path = uniqueWebhookPath('act-two-files');
		const fromDisk = filesAsOneItem(dir, 'driving.mp4', 'character.png');
		const wf = workflow(
			'files',
			[
				webhookTrigger(path),
				...fromDisk.nodes,
				actTwo(
					'Runway From Files',
					cb('runway'),
					{
						...createParams('runway', urls, { output: 'binary', binaryPropertyName: 'video' }),
						characterSource: 'binary',
						characterBinaryProperty: 'character',
						drivingSource: 'binary',
						drivingBinaryProperty: 'driving',
					},
					[3, 0],
				),
				actTwo(
					'Upload Character',
					cb('useapi'),
					{
						provider: 'useapi',
						resource: 'asset',
						operation: 'upload',
						binaryPropertyName: 'character',
						role: 'character',
					},
					[3, 1],
				),
				actTwo(
					'Upload Driving',
					cb('useapi'),
					{
						provider: 'useapi',
						resource: 'asset',
						operation: 'upload',
						binaryPropertyName: 'driving',
						role: 'driving',
					},
					[3, 2],
				),
				actTwo(
					'useapi From Assets',
					cb('useapi'),
					{
						...createParams('useapi', urls),
						characterSource: 'asset',
						characterAssetId: "={{ $('Upload Character').first().json.assetId }}",
						drivingSource: 'asset',
						drivingAssetId: '={{ $json.assetId }}',
					},
					[4, 2],
				),
			],
			[
				...fromDisk.links,
				['Combine', 'Runway From Files'],
				['Combine', 'Upload Character'],
				['Combine', 'Upload Driving'],
				['Upload Driving', 'useapi From Assets'],
			],
		);
		const exec = await runOnce(ctx.n8n, wf);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});

		const runwayItem = exec.data!.resultData.runData['Runway From Files'][0].data!.main[0]![0];
		expectSucceeded(runwayItem.json, 'runway');
		expect(runwayItem.binary?.video?.mimeType).toBe('video/mp4');
		const bytes = storedBinary(ctx.info.n8n.userFolder, runwayItem.binary?.video?.id);
		expect(bytes?.subarray(4, 8).toString('latin1')).toBe('ftyp');

		const [character] = jsonOf(exec, 'Upload Character');
		const [driving] = jsonOf(exec, 'Upload Driving');
		expect(character).toMatchObject({ provider: 'useapi', mediaType: 'image' });
		expect(driving).toMatchObject({ provider: 'useapi', mediaType: 'video' });
		expect(String(character.assetId)).toMatch(/-asset:/);
		expect(String(driving.assetId)).toMatch(/-asset:/);
		const [fromAssets] = jsonOf(exec, 'useapi From Assets');
		expectSucceeded(fromAssets, 'useapi');

		const tasks = await ctx.sim<SimTaskLite[]>('GET', 'tasks');
		// Runway got the files' bytes (small files inline as data: URIs, large ones as runway:// uploads), not URLs
		const runwayInput = JSON.stringify(tasks.find((s) => s.id === runwayItem.json.taskId)!.input);
		expect(runwayInput).toMatch(/"uri":"(data:image\/png;base64,|runway:\/\/)/);
		expect(runwayInput).toMatch(/"uri":"(data:video\/mp4;base64,|runway:\/\/)/);
		expect(runwayInput).not.toContain('/static/');
		const useapiInput = tasks.find((s) => s.id === fromAssets.taskId)!.input as Record<
			string,
			unknown
		>;
		expect(useapiInput).toMatchObject({
			character_assetId: character.assetId,
			driving_assetId: driving.assetId,
		});
	});

	it('Cancel (Runway) a running render, then Get shows it cancelled; a moderated render goes to the error output', async () => {
		const cb = (p: 'runway' | 'liangxin') => ctx.credentialRef(p);
		await ctx.sim('POST', 'outcomes', { provider: 'runway', outcome: 'stuck' });
		await ctx.sim('POST', 'outcomes', { provider: 'liangxin', outcome: 'moderation' });
		const path = uniqueWebhookPath('act-two-controls');
		const wf = workflow(
			'controls',
			[
				webhookTrigger(path),
				actTwo(
					'Start Render',
					cb('runway'),
					createParams('runway', urls, { waitForCompletion: 'none' }),
					[1, 0],
				),
				actTwo(
					'Cancel',
					cb('runway'),
					{ provider: 'runway', operation: 'cancel', taskId: '={{ $json.taskId }}' },
					[2, 0],
				),
				actTwo(
					'Check',
					cb('runway'),
					{
						provider: 'runway',
						operation: 'get',
						taskId: "={{ $('Start Render').item.json.taskId }}",
					},
					[3, 0],
				),
				actTwo('Moderated Render', cb('liangxin'), createParams('liangxin', urls), [4, 0], {
					onError: 'continueErrorOutput',
				}),
				noOp('Rendered', [5, 0]),
				noOp('Rejected', [5, 1]),
			],
			[
				['Webhook', 'Start Render'],
				['Start Render', 'Cancel'],
				['Cancel', 'Check'],
				['Check', 'Moderated Render'],
				['Moderated Render', 'Rendered', 0],
				['Moderated Render', 'Rejected', 1],
			],
		);
		const exec = await runOnce(ctx.n8n, wf);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});

		const [started] = jsonOf(exec, 'Start Render');
		expect(started).toMatchObject({ provider: 'runway' });
		expect(['queued', 'running']).toContain(started.status);
		expect(jsonOf(exec, 'Cancel')).toEqual([
			{ provider: 'runway', taskId: started.taskId, cancelled: true },
		]);
		const [checked] = jsonOf(exec, 'Check');
		expect(checked).toMatchObject({ taskId: started.taskId, status: 'cancelled', videoUrl: null });

		expect(jsonOf(exec, 'Moderated Render', 0)).toEqual([]);
		expect(exec.data!.resultData.runData.Rendered).toBeUndefined();
		const rejected = jsonOf(exec, 'Rejected');
		expect(rejected).toHaveLength(1);
		// n8n keeps the error item's JSON whole only without an `error` property (normalizeNodeErrors);
		// on the error output it is merged over the paired input item (Check's task)
		expect(String(rejected[0].error)).toMatch(/^LiangXin: .*moderation/i);
		expect(rejected[0].details).toMatchObject({
			category: 'moderation',
			task: { provider: 'liangxin', status: 'failed' },
		});
		expect(String((rejected[0].details as { description?: string }).description)).toMatch(
			/moderation/,
		);
		const errorRun = exec.data!.resultData.runData['Moderated Render'][0].data!.main[1]!;
		expect(errorRun).toHaveLength(1);

		const tasks = await ctx.sim<SimTaskLite[]>('GET', 'tasks');
		expect(tasks.find((t) => t.id === started.taskId)?.phase).toBe('cancelled');
	});
});
