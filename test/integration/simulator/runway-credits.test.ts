/**
 * The simulator's Runway credits, read through the official @runwayml/sdk 4.20.1 (its types name the fields):
 * the create answer's estimatedCost, estimatedCost while a task is pending or running, cost once it ended, and
 * null tier limits on GET /v1/organization.
 */
import RunwayML from '@runwayml/sdk';

import { type Simulator, startSimulator } from '../../simulator';
import { CHARACTER, DRIVING, dataUri } from './helpers';
import { sleep } from '../nodes/helpers';

const TIMING = { queuedMs: 1000, throttledMs: 0, runningMs: 1500, progressSteps: 2 };

describe('simulator: Runway credits as the SDK types describe them', () => {
	let sim: Simulator;
	let client: RunwayML;
	beforeAll(async () => {
		sim = await startSimulator({ timing: TIMING, runwayUnlimitedTier: true });
		client = new RunwayML({ apiKey: sim.keys.runway, baseURL: sim.baseUrls.runway });
	});
	afterAll(() => sim.close());

	it('create → estimatedCost; PENDING/RUNNING → estimatedCost; SUCCEEDED → cost (5 credits × 5 s)', async () => {
		const created = await client.characterPerformance.create({
			model: 'act_two',
			character: { type: 'image', uri: dataUri('image/png', CHARACTER) },
			reference: { type: 'video', uri: dataUri('video/mp4', DRIVING) },
		});
		expect(created.estimatedCost).toEqual({ credits: 25 });
		const seen = new Map<string, unknown>();
		for (let i = 0; i < 200; i++) {
			const task = await client.tasks.retrieve(created.id);
			seen.set(
				task.status,
				'cost' in task ? { cost: task.cost } : { estimatedCost: task.estimatedCost },
			);
			if (task.status === 'SUCCEEDED') break;
			await sleep(50);
		}
		expect(seen.get('PENDING')).toEqual({ estimatedCost: { credits: 25 } });
		expect(seen.get('RUNNING')).toEqual({ estimatedCost: { credits: 25 } });
		expect(seen.get('SUCCEEDED')).toEqual({ cost: { credits: 25 } });
	});

	it('a task cancelled while it runs reports cost 0 (refunded)', async () => {
		const created = await client.characterPerformance.create({
			model: 'act_two',
			character: { type: 'image', uri: dataUri('image/png', CHARACTER) },
			reference: { type: 'video', uri: dataUri('video/mp4', DRIVING) },
		});
		await client.tasks.delete(created.id);
		const task = await client.tasks.retrieve(created.id);
		expect(task.status).toBe('CANCELLED');
		expect('cost' in task && task.cost).toEqual({ credits: 0 });
	});

	it('organization.retrieve: tier limits may be null (unlimited)', async () => {
		const org = await client.organization.retrieve();
		expect(org.tier.models.act_two).toEqual({
			maxConcurrentGenerations: null,
			maxDailyGenerations: null,
		});
	});
});
