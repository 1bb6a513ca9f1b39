import RunwayML, { TaskFailedError, toFile } from '@runwayml/sdk';

import { type Simulator, startSimulator } from '../../simulator';
import { CHARACTER, DRIVING, FAST, dataUri, download, startsWithFtyp } from './helpers';

/**
 * The official SDK, unchanged, against the simulator. waitForTaskOutput() waits 6 s +/- 1.5 s before the
 * first poll and between polls, so each wait takes about 6-15 s with the fast simulator timing.
 */
describe('simulator: the official @runwayml/sdk works against it unchanged', () => {
	let sim: Simulator;
	let client: RunwayML;

	beforeAll(async () => {
		sim = await startSimulator({ timing: FAST });
		client = new RunwayML({ apiKey: sim.keys.runway, baseURL: sim.baseUrls.runway });
	});
	afterAll(() => sim.close());

	it('creates an Act-Two task from data URIs and waits for its output', async () => {
		const task = await client.characterPerformance
			.create({
				model: 'act_two',
				character: { type: 'image', uri: dataUri('image/png', CHARACTER) },
				reference: { type: 'video', uri: dataUri('video/mp4', DRIVING) },
				ratio: '1280:720',
				bodyControl: true,
				expressionIntensity: 3,
				seed: 42,
				contentModeration: { publicFigureThreshold: 'auto' },
			})
			.waitForTaskOutput();
		expect(task.status).toBe('SUCCEEDED');
		const output = (task as { output: string[] }).output;
		expect(output).toHaveLength(1);
		const file = await download(output[0]);
		expect(file.status).toBe(200);
		expect(startsWithFtyp(file.bytes)).toBe(true);
		const create = sim
			.requests()
			.find((r) => r.method === 'POST' && r.path === '/runway/v1/character_performance');
		expect(create?.headers['x-runway-version']).toBe('2024-11-06');
		expect(create?.headers.authorization).toBe('Bearer REDACTED');
	}, 40000);

	it('uploads with uploads.createEphemeral and uses the runway:// URI; a moderated task throws TaskFailedError', async () => {
		const reference = await client.uploads.createEphemeral({
			file: await toFile(DRIVING, 'driving.mp4'),
		});
		const character = await client.uploads.createEphemeral({
			file: await toFile(CHARACTER, 'character.png', { type: 'image/png' }),
		});
		expect(reference.uri).toMatch(/^runway:\/\//);
		sim.outcomes.next('runway', 'moderation');
		const created = await client.characterPerformance.create({
			model: 'act_two',
			character: { type: 'image', uri: character.uri },
			reference: { type: 'video', uri: reference.uri },
		});
		const error = await client.tasks
			.retrieve(created.id)
			.waitForTaskOutput()
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TaskFailedError);
		expect((error as TaskFailedError).taskDetails).toMatchObject({
			status: 'FAILED',
			failureCode: 'SAFETY.INPUT.IMAGE',
		});
	}, 40000);

	it('maps simulator errors onto the SDK error classes', async () => {
		const bad = new RunwayML({ apiKey: 'key_wrong', baseURL: sim.baseUrls.runway, maxRetries: 0 });
		await expect(bad.organization.retrieve()).rejects.toBeInstanceOf(RunwayML.AuthenticationError);
		await expect(
			client.characterPerformance.create({
				model: 'act_two',
				character: { type: 'image', uri: 'https://cdn.example.com/c.png' },
				reference: { type: 'video', uri: 'https://cdn.example.com/r.mp4' },
				expressionIntensity: 9,
			}),
		).rejects.toBeInstanceOf(RunwayML.BadRequestError);
		const org = await client.organization.retrieve();
		expect(org.creditBalance).toEqual(expect.any(Number));
	});
});
