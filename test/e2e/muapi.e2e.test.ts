/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Muapi through the Act-Two node inside a real n8n (package installed from `npm pack`), against the simulator:
 * files from n8n's binary store uploaded to /upload_file and rendered from the returned URLs, a video character
 * from URLs with the Ratio as aspect_ratio and the cost in US dollars, a hidden option n8n drops, and a failed
 * prediction (its result answered HTTP 400) on the error output. The Trigger side is in trigger.e2e.test.ts.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../n8n/instance';
import { loadE2e, uniqueWebhookPath, type E2eContext } from './context';
import {
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
const CHARACTER_PNG = readFileSync(join(REPO_ROOT, 'examples', 'assets', 'character.png'));

interface SimRequest {
	provider: string | null;
	method: string;
	path: string;
	status: number | null;
	body: { contentType: string | null; json?: unknown };
}

beforeAll(async () => {
	ctx = await loadE2e();
	if (!ctx.info.simulator) throw new Error('this suite needs the simulator');
	simUrl = ctx.info.simulator.url;
	urls = { character: `${simUrl}/static/character.png`, driving: `${simUrl}/static/driving.mp4` };
	await ctx.sim('POST', 'reset');
});

const muapiCreates = async () =>
	(await ctx.sim<SimRequest[]>('GET', 'requests')).filter(
		(r) => r.provider === 'muapi' && r.method === 'POST' && /runway-act-two-[iv]2v/.test(r.path),
	);

describe('Muapi in a real n8n', () => {
	it('files from the binary store are uploaded and rendered; a video character from URLs; USD cost; hidden options never sent', async () => {
		const muapi = ctx.credentialRef('muapi');
		const dir = ctx.info.filesDir;
		copyFileSync(join(REPO_ROOT, 'examples', 'assets', 'driving.mp4'), join(dir, 'driving.mp4'));
		copyFileSync(
			join(REPO_ROOT, 'examples', 'assets', 'character.png'),
			join(dir, 'character.png'),
		);
		const fromDisk = filesAsOneItem(dir, 'driving.mp4', 'character.png');
		const wf = workflow(
			'muapi',
			[
				webhookTrigger(uniqueWebhookPath('muapi')),
				...fromDisk.nodes,
				actTwo(
					'Muapi From Files',
					muapi,
					{
						...createParams('muapi', urls, { output: 'binary', binaryPropertyName: 'video' }),
						characterSource: 'binary',
						characterBinaryProperty: 'character',
						drivingSource: 'binary',
						drivingBinaryProperty: 'driving',
					},
					[3, 0],
				),
				actTwo(
					'Muapi From URLs',
					muapi,
					createParams('muapi', urls, {
						characterType: 'video',
						characterUrl: urls.driving,
						output: 'url',
						// Seed is hidden for Muapi: set in the saved JSON anyway, n8n must drop it.
						createOptions: { ratio: '720:1280', seed: 7 },
					}),
					[4, 0],
				),
			],
			[...fromDisk.links, ['Combine', 'Muapi From Files'], ['Muapi From Files', 'Muapi From URLs']],
		);
		const exec = await runOnce(ctx.n8n, wf);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});

		const files = exec.data!.resultData.runData['Muapi From Files'][0].data!.main[0]![0];
		expect(files.json).toMatchObject({
			provider: 'muapi',
			status: 'succeeded',
			cost: { amount: 0.07, unit: 'usd', final: true },
		});
		const video = storedBinary(ctx.info.n8n.userFolder, files.binary?.video?.id);
		expect(video?.equals(OUTPUT_MP4)).toBe(true);

		const [fromUrls] = jsonOf(exec, 'Muapi From URLs');
		expect(fromUrls).toMatchObject({
			provider: 'muapi',
			status: 'succeeded',
			videoUrl: expect.stringMatching(/\/files\/[^/?]+\.mp4/),
			cost: { amount: 0.3, unit: 'usd', final: true },
		});

		const requests = await ctx.sim<SimRequest[]>('GET', 'requests');
		const uploads = requests.filter((r) => r.provider === 'muapi' && /\/upload_file$/.test(r.path));
		expect(uploads.map((u) => u.status)).toEqual([200, 200]);
		const [i2v, v2v] = await muapiCreates();
		const i2vBody = i2v.body.json as Record<string, string>;
		expect(i2v.path).toMatch(/\/runway-act-two-i2v$/);
		expect(i2vBody.image_url).toMatch(/\/files\/muapi\/[^/]+\/character\.png$/);
		expect(i2vBody.reference_video_url).toMatch(/\/files\/muapi\/[^/]+\/driving\.mp4$/);
		// what Muapi stored is the file n8n held
		const stored = await fetch(i2vBody.image_url);
		expect(Buffer.from(await stored.arrayBuffer()).equals(CHARACTER_PNG)).toBe(true);
		expect(v2v.path).toMatch(/\/runway-act-two-v2v$/);
		expect(v2v.body.json).toEqual({
			video_url: urls.driving,
			reference_video_url: urls.driving,
			aspect_ratio: '9:16',
		});
	});

	it('a failed prediction (result answered HTTP 400) goes to the error output with Muapi’s reason; the workflow goes on', async () => {
		await ctx.sim('POST', 'outcomes', { provider: 'muapi', outcome: 'no_face' });
		const wf = workflow(
			'muapi failure',
			[
				webhookTrigger(uniqueWebhookPath('muapi-fail')),
				actTwo('Muapi Render', ctx.credentialRef('muapi'), createParams('muapi', urls), [1, 0], {
					onError: 'continueErrorOutput',
				}),
				noOp('Rendered', [2, 0]),
				noOp('Failed', [2, 1]),
			],
			[
				['Webhook', 'Muapi Render'],
				['Muapi Render', 'Rendered', 0],
				['Muapi Render', 'Failed', 1],
			],
		);
		const exec = await runOnce(ctx.n8n, wf);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});
		const [failed] = jsonOf(exec, 'Failed');
		expect(failed.error).toBe('Muapi: No face detected in the character input');
		expect(failed.details).toMatchObject({
			category: 'invalid_input',
			retryable: false,
			task: { status: 'failed', cost: { amount: 0, unit: 'usd', final: true } },
		});
		const reads = (await ctx.sim<SimRequest[]>('GET', 'requests')).filter(
			(r) => r.provider === 'muapi' && r.method === 'GET' && /\/result$/.test(r.path),
		);
		expect(reads[reads.length - 1].status).toBe(400);
	});
});
