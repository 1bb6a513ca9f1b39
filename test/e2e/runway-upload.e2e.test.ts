/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Runway uploads inside a real n8n 2.x (package installed from `npm pack`), against the provider simulator: a
 * 6 MB driving video read from disk by n8n's Read/Write Files node is too large for a data URI (5 MB as sent),
 * so Create streams it through /v1/uploads, and Asset > Upload does the same; the bytes Runway stored equal
 * the file's (size + SHA-256), and the storage POST announced its length.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from '../n8n/instance';
import { loadE2e, uniqueWebhookPath, type E2eContext } from './context';
import {
	actTwo,
	createParams,
	describeExecution,
	filesAsOneItem,
	jsonOf,
	runOnce,
	webhookTrigger,
	workflow,
} from './workflows/build';

let ctx: E2eContext;
let simUrl: string;

const DRIVING = readFileSync(join(REPO_ROOT, 'examples', 'assets', 'driving.mp4'));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The driving video with a `free` box after its ftyp, `bytes` long in all (its duration unchanged). */
function padded(bytes: number): Buffer {
	const ftypEnd = DRIVING.readUInt32BE(0);
	const free = Buffer.alloc(bytes - DRIVING.length);
	free.writeUInt32BE(free.length, 0);
	free.write('free', 4, 'latin1');
	return Buffer.concat([DRIVING.subarray(0, ftypEnd), free, DRIVING.subarray(ftypEnd)]);
}

interface Recorded {
	method: string;
	path: string;
	headers: Record<string, string>;
	body: { bytes: number; sha256?: string };
	status: number | null;
}

beforeAll(async () => {
	ctx = await loadE2e();
	if (!ctx.info.simulator) throw new Error('this suite needs the simulator');
	simUrl = ctx.info.simulator.url;
	await ctx.sim('POST', 'reset');
});

/** What Runway stored under a runway:// URI, read back from the simulator. */
async function stored(runwayUri: string): Promise<Buffer> {
	const token = /^runway:\/\/ephemeral\/(.+)$/.exec(runwayUri)?.[1];
	expect(token).toBeDefined();
	const res = await fetch(`${simUrl}/__sim/runway-files/${encodeURIComponent(token!)}`);
	expect(res.status).toBe(200);
	return Buffer.from(await res.arrayBuffer());
}

describe('Runway uploads in a real n8n', () => {
	it('a 6 MB binary driving video is streamed through /v1/uploads, by Create and by Asset > Upload', async () => {
		const video = padded(6_000_000);
		const dir = ctx.info.filesDir;
		writeFileSync(join(dir, 'driving-6mb.mp4'), video);
		copyFileSync(
			join(REPO_ROOT, 'examples', 'assets', 'character.png'),
			join(dir, 'character.png'),
		);
		const runway = ctx.credentialRef('runway');
		const fromDisk = filesAsOneItem(dir, 'driving-6mb.mp4', 'character.png');
		const wf = workflow(
			'runway-upload',
			[
				webhookTrigger(uniqueWebhookPath('act-two-runway-upload')),
				...fromDisk.nodes,
				actTwo(
					'Create From Files',
					runway,
					{
						...createParams('runway', { character: '', driving: '' }),
						characterSource: 'binary',
						characterBinaryProperty: 'character',
						drivingSource: 'binary',
						drivingBinaryProperty: 'driving',
					},
					[3, 0],
				),
				actTwo(
					'Upload Driving',
					runway,
					{
						provider: 'runway',
						resource: 'asset',
						operation: 'upload',
						binaryPropertyName: 'driving',
						role: 'driving',
					},
					[3, 1],
				),
			],
			[...fromDisk.links, ['Combine', 'Create From Files'], ['Combine', 'Upload Driving']],
		);
		const exec = await runOnce(ctx.n8n, wf, 120_000);
		expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
			status: 'success',
		});
		const [task] = jsonOf(exec, 'Create From Files');
		expect(task).toMatchObject({ provider: 'runway', status: 'succeeded' });
		const [asset] = jsonOf(exec, 'Upload Driving');
		expect(String(asset.assetId)).toMatch(/^runway:\/\/ephemeral\//);
		expect(sha256(await stored(String(asset.assetId)))).toBe(sha256(video));

		const tasks = await ctx.sim<Array<{ id: string; input: Record<string, { uri: string }> }>>(
			'GET',
			'tasks',
		);
		const input = tasks.find((t) => t.id === task.taskId)!.input;
		expect(input.character.uri).toMatch(/^data:image\/png;base64,/);
		expect(input.reference.uri).toMatch(/^runway:\/\/ephemeral\//);
		expect(sha256(await stored(input.reference.uri))).toBe(sha256(video));

		const storage = (await ctx.sim<Recorded[]>('GET', 'requests')).filter(
			(r) => r.method === 'POST' && r.path.startsWith('/runway-storage/'),
		);
		expect(storage).toHaveLength(2);
		for (const r of storage) {
			expect(r.status).toBe(204);
			expect(r.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
			expect(r.headers['content-length']).toBe(String(r.body.bytes));
			expect(r.headers.authorization).toBeUndefined();
		}
	});
});
