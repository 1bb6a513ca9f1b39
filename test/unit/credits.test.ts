/**
 * Credit figures from outside data (Runway's estimatedCost/cost, useapi.net's task) and estimates from the
 * adapters' price lists. A provider's figure is taken only where it is a finite, non-negative number; anything
 * else gives null, never a guess and never a throw.
 */
import { budgetRefusal, estimateCredits } from '../../nodes/ActTwo/actions/task/credits';
import { runwayShapeCredits } from '../../nodes/ActTwo/providers/common/credits';
import { cometAdapter } from '../../nodes/ActTwo/providers/comet/adapter';
import { liangxinAdapter } from '../../nodes/ActTwo/providers/liangxin/adapter';
import { runwayAdapter } from '../../nodes/ActTwo/providers/runway/adapter';
import { useapiAdapter } from '../../nodes/ActTwo/providers/useapi/adapter';
import type { ApiClient, TaskStatus } from '../../nodes/ActTwo/core/types';

const ID = '2d6f6b0e-7e3c-4b8a-9b6a-0c5f3f1e9a11';
const answering = (body: unknown): ApiClient => ({ request: async <T>() => body as T });

describe('Runway task credits', () => {
	test.each([
		['PENDING', { estimatedCost: { credits: 25 } }, { amount: 25, unit: 'credits', final: false }],
		[
			'THROTTLED',
			{ estimatedCost: { credits: 25 } },
			{ amount: 25, unit: 'credits', final: false },
		],
		[
			'RUNNING',
			{ progress: 0.5, estimatedCost: { credits: 25 } },
			{ amount: 25, unit: 'credits', final: false },
		],
		[
			'SUCCEEDED',
			{ output: [], cost: { credits: 20 } },
			{ amount: 20, unit: 'credits', final: true },
		],
		['FAILED', { failure: 'x', cost: { credits: 0 } }, { amount: 0, unit: 'credits', final: true }],
		['CANCELLED', { cost: { credits: 0 } }, { amount: 0, unit: 'credits', final: true }],
		// Older answers without the fields still parse, with no figure.
		['RUNNING', { progress: 0.5 }, null],
		['SUCCEEDED', { output: [] }, null],
		// A terminal answer with only the estimate: the estimate, not as final.
		[
			'SUCCEEDED',
			{ output: [], estimatedCost: { credits: 25 } },
			{ amount: 25, unit: 'credits', final: false },
		],
		// A running task's `cost` is not final and not read.
		['RUNNING', { cost: { credits: 25 } }, null],
	])('GET %s %j → %j', async (status, extra, cost) => {
		const task = await runwayAdapter.get(
			answering({ id: ID, status, createdAt: '2026-12-01T00:00:00Z', ...extra }),
			ID,
			'act_two',
		);
		expect(task.cost).toEqual(cost);
	});

	test('the create answer’s estimatedCost (the most it may charge)', async () => {
		const task = await runwayAdapter.create(
			answering({ id: ID, estimatedCost: { credits: 150 } }),
			{
				model: 'act_two',
				character: { kind: 'uri', type: 'image', uri: 'https://a.example/c.png' },
				reference: { kind: 'uri', type: 'video', uri: 'https://a.example/r.mp4' },
			},
		);
		expect(task.cost).toEqual({ amount: 150, unit: 'credits', final: false });
	});

	test.each([
		['a numeric string', '25', 25],
		['negative', -5, null],
		['NaN text', 'NaN', null],
		['Infinity', Infinity, null],
		['an object', { valueOf: () => 3 }, null],
		['an array', [25], null],
		['a boolean', true, null],
		['null', null, null],
	])('credits as %s', (_label, credits, amount) => {
		const cost = runwayShapeCredits({ cost: { credits } }, 'succeeded' as TaskStatus);
		expect(cost === null ? null : cost.amount).toBe(amount);
	});

	test('estimatedCost or cost that is not an object gives null', () => {
		for (const v of [25, 'x', [], null, { toString: 'no' }])
			expect(runwayShapeCredits({ estimatedCost: v, cost: v }, 'running')).toBeNull();
	});
});

describe('useapi.net task credits (lenient)', () => {
	const UA = 'user:1-runwayml:a@b.c-task:3f1c2a44-1111-4e0b-9b7a-1d2e3f4a5b6c';
	const read = async (extra: object, status = 'SUCCEEDED') =>
		(
			await useapiAdapter.get(
				answering({ taskId: UA, status, artifacts: [], ...extra }),
				UA,
				'act_two',
			)
		).cost;

	test('no credit field (what the docs show) → null', async () => {
		expect(await read({})).toBeNull();
	});
	test('Runway’s shape where present', async () => {
		expect(await read({ cost: { credits: 30 } })).toEqual({
			amount: 30,
			unit: 'credits',
			final: true,
		});
		expect(await read({ estimatedCost: { credits: 30 } }, 'RUNNING')).toEqual({
			amount: 30,
			unit: 'credits',
			final: false,
		});
	});
	test('a bare numeric credits field', async () => {
		expect(await read({ credits: '30' })).toEqual({ amount: 30, unit: 'credits', final: true });
		expect(await read({ credits: 30 }, 'RUNNING')).toEqual({
			amount: 30,
			unit: 'credits',
			final: false,
		});
	});
	test('a number without a unit (cost: 0.3) is not taken for credits', async () => {
		expect(await read({ cost: 0.3 })).toBeNull();
	});
});

describe('estimates from the adapters’ price lists', () => {
	const est = (
		adapter: typeof runwayAdapter,
		drivingSeconds: number | null,
		exploreMode?: boolean,
	) => estimateCredits(adapter, { model: 'act_two', drivingSeconds, exploreMode });

	test('Runway: 5 credits per started second of driving video', () => {
		expect(est(runwayAdapter, 5).credits).toBe(25);
		expect(est(runwayAdapter, 5.0000001).credits).toBe(25); // header rounding noise
		expect(est(runwayAdapter, 5.2).credits).toBe(30);
		expect(est(runwayAdapter, 30).credits).toBe(150);
		// Runway has no Explore Mode: the option changes nothing there.
		expect(est(runwayAdapter, 5, true).credits).toBe(25);
	});
	test('useapi.net: the same on your Runway account, 0 in Explore Mode (even when the length is unknown)', () => {
		expect(est(useapiAdapter, 4).credits).toBe(20);
		expect(est(useapiAdapter, 4, true).credits).toBe(0);
		expect(est(useapiAdapter, null, true).credits).toBe(0);
	});
	test('unknown length → null with the reason', () => {
		expect(est(runwayAdapter, null)).toEqual({
			credits: null,
			note: expect.stringContaining("driving video's duration is unknown"),
		});
	});
	test('no credit pricing (CometAPI, LiangXin) → null, said plainly', () => {
		expect(est(cometAdapter, 5)).toEqual({
			credits: null,
			note: 'CometAPI does not price renders in credits',
		});
		expect(est(liangxinAdapter, 5).note).toBe('LiangXin does not price renders in credits');
	});
	test('a model without a known price → null', () => {
		expect(
			estimateCredits(useapiAdapter, { model: 'act_one', drivingSeconds: 5 }).credits,
		).toBeNull();
	});
});

describe('Max Credits (seeded property test)', () => {
	const node = {
		id: '1',
		name: 'Act-Two',
		type: 'n8n-nodes-act-two.actTwo',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {},
	};
	let a = 20261201;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};

	test('refused exactly when the sum of the estimates is above the budget; every item and the total are named', () => {
		for (let round = 0; round < 2000; round++) {
			const adapter = next() < 0.5 ? runwayAdapter : useapiAdapter;
			const n = 1 + Math.floor(next() * 8);
			const items = Array.from({ length: n }, (_, itemIndex) => {
				const drivingSeconds = 3 + next() * 27;
				const exploreMode = next() < 0.2;
				return {
					itemIndex,
					drivingSeconds,
					estimate: estimateCredits(adapter, { model: 'act_two', drivingSeconds, exploreMode }),
				};
			});
			const total = items.reduce((s, x) => s + (x.estimate.credits as number), 0);
			const max = Math.floor(next() * 600);
			const refusal = budgetRefusal(node, adapter, max, items);
			expect(refusal !== null).toBe(total > max);
			if (refusal) {
				const text = `${refusal.message} ${refusal.description ?? ''}`;
				expect(text).toContain(`Total: ${total} credits`);
				for (const x of items)
					expect(text).toContain(`item ${x.itemIndex}: ${x.estimate.credits} credits`);
			}
		}
	});

	test('a Max Credits value that is not a number ≥ 0 is refused, never thrown', () => {
		const items = [{ itemIndex: 0, drivingSeconds: 5, estimate: { credits: 25 } }];
		for (const v of [-1, NaN, 'abc', {}, [], Infinity, null, { valueOf: () => 100 }]) {
			const refusal = budgetRefusal(node, runwayAdapter, v, items);
			expect(refusal?.message).toBe('Max Credits must be a number of 0 or more');
		}
		expect(budgetRefusal(node, runwayAdapter, '25', items)).toBeNull();
	});
});
