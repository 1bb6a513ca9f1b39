/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * AIML API inside a real n8n 2.x (the shared instance of global-setup.ts, package installed from `npm pack`),
 * against the provider simulator: a render polled to its end with the MP4 stored by n8n, Get and Download Video
 * on it, and the clear refusal of what AIML lacks (Until Callback, Cancel) with nothing sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../n8n/instance';
import { loadE2e, uniqueWebhookPath, type E2eContext } from './context';
import {
	actTwo,
	createParams,
	describeExecution,
	jsonOf,
	runOnce,
	storedBinary,
	webhookTrigger,
	workflow,
} from './workflows/build';

let ctx: E2eContext;
let urls: { character: string; driving: string };
const OUTPUT_MP4 = readFileSync(join(REPO_ROOT, 'examples', 'assets', 'output.mp4'));

interface Recorded {
	provider: string;
	method: string;
	path: string;
	body: { json?: unknown };
}

beforeAll(async () => {
	ctx = await loadE2e();
	if (!ctx.info.simulator) throw new Error('this suite needs the simulator');
	const simUrl = ctx.info.simulator.url;
	urls = { character: `${simUrl}/static/character.png`, driving: `${simUrl}/static/driving.mp4` };
	await ctx.sim('POST', 'reset');
});

const aimlRequests = async () =>
	(await ctx.sim<Recorded[]>('GET', 'requests')).filter((r) => r.provider === 'aiml');

describe('AIML API in a real n8n', () => {
	it('Create (poll, video as binary) → Get → Download Video: one generation, its MP4 stored by n8n', async () => {
		const cred = ctx.credentialRef('aiml');
		const wf = workflow(
			'aiml render',
			[
				webhookTrigger(uniqueWebhookPath('act-two-aiml')),
				actTwo(
					'AIML Create',
					cred,
					createParams('aiml', urls, {
						output: 'binary',
						binaryPropertyName: 'video',
						createOptions: { ratio: '720:1280', expressionIntensity: 4, seed: 7 },
					}),
					[1, 0],
				),
				actTwo(
					'AIML Get',
					cred,
					{ provider: 'aiml', operation: 'get', taskId: '={{ $json.taskId }}' },
					[2, 0],
				),
				actTwo(
					'AIML Download',
					cred,
					{ provider: 'aiml', operation: 'downloadVideo', taskId: '={{ $json.taskId }}' },
					[3, 0],
				),
			],
			[
				['Webhook', 'AIML Create'],
				['AIML Create', 'AIML Get'],
				['AIML Get', 'AIML Download'],
			],
		);
		const exec = await runOnce(ctx.n8n, wf);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});
		const created = exec.data!.resultData.runData['AIML Create'][0].data!.main[0]![0];
		expect(created.json).toMatchObject({ provider: 'aiml', model: 'act_two', status: 'succeeded' });
		expect(String(created.json.videoUrl)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4/);
		const stored = storedBinary(ctx.info.n8n.userFolder, created.binary?.video?.id);
		expect(stored?.equals(OUTPUT_MP4)).toBe(true);
		const [got] = jsonOf(exec, 'AIML Get');
		expect(got).toMatchObject({ taskId: created.json.taskId, status: 'succeeded' });
		const downloaded = exec.data!.resultData.runData['AIML Download'][0].data!.main[0]![0];
		expect(
			storedBinary(ctx.info.n8n.userFolder, downloaded.binary?.data?.id)?.equals(OUTPUT_MP4),
		).toBe(true);

		const creates = (await aimlRequests()).filter((r) => r.method === 'POST');
		expect(creates).toHaveLength(1);
		expect(creates[0].body.json).toEqual({
			model: 'runway/act_two',
			character: { type: 'image', url: urls.character },
			reference: { type: 'video', url: urls.driving },
			frame_size: '720:1280',
			expression_intensity: 4,
			seed: 7,
		});
	});

	it('Until Callback and Cancel are refused with a clear message, and nothing reaches AIML', async () => {
		await ctx.sim('POST', 'reset');
		const cred = ctx.credentialRef('aiml');
		for (const [name, params, message] of [
			[
				'AIML Callback',
				createParams('aiml', urls, { waitForCompletion: 'callback' }),
				/AIML API does not call back/,
			],
			[
				'AIML Cancel',
				{ provider: 'aiml', operation: 'cancel', taskId: 'some-generation' },
				/AIML API has no way to cancel a task/,
			],
		] as const) {
			const exec = await runOnce(
				ctx.n8n,
				workflow(
					name,
					[
						webhookTrigger(uniqueWebhookPath('act-two-aiml-no')),
						actTwo(name, cred, params, [1, 0]),
					],
					[['Webhook', name]],
				),
			);
			expect(exec.status).toBe('error');
			expect(describeExecution(exec)).toMatch(message);
		}
		expect(await aimlRequests()).toEqual([]);
	});
});
