/** The odd bodies named in issue 9 (items 4 and 5), one by one: what each parser makes of them. */
import { ProviderError } from '../../nodes/ActTwo/core/errors';
import { cometAdapter } from '../../nodes/ActTwo/providers/comet/adapter';
import { liangxinAdapter, parseJobsRecord } from '../../nodes/ActTwo/providers/liangxin/adapter';
import { parseRunwayTask } from '../../nodes/ActTwo/providers/common/runway-format';
import { runwayAdapter } from '../../nodes/ActTwo/providers/runway/adapter';
import { toIso } from '../../nodes/ActTwo/providers/common/task';
import type { ApiClient, ProviderAdapter } from '../../nodes/ActTwo/core/types';
import { useapiAdapter } from '../../nodes/ActTwo/providers/useapi/adapter';

const answering = (body: unknown): ApiClient => ({
	request: async <T>() => body as T,
});

const success = (extra: object = {}) => ({
	code: 200,
	msg: 'success',
	data: {
		taskId: 'task_1',
		state: 'success',
		resultJson: '{"resultUrls":["https://cdn.example.com/v.mp4"]}',
		createTime: 1765432100000,
		...extra,
	},
});

describe('LiangXin times', () => {
	it('a succeeded task whose updateTime is in nanoseconds is succeeded, with the time scaled', () => {
		// As a provider sends it: a JSON number too long for a double, as JSON.parse reads it.
		const t = parseJobsRecord(success(JSON.parse('{"updateTime":1765432130123456789}')));
		expect(t.status).toBe('succeeded');
		expect(t.updatedAt).toBe(new Date(1765432130123).toISOString());
		expect(t.outputs).toEqual([{ url: 'https://cdn.example.com/v.mp4' }]);
	});
	it('an updateTime of 1e308 (or beyond any unit) is null, the task still succeeded', () => {
		for (const updateTime of [1e308, 1e21, -5, Number.NaN, '1e308', { toString: 1 }]) {
			const t = parseJobsRecord(success({ updateTime, completeTime: null }));
			expect(t.status).toBe('succeeded');
			expect(t.updatedAt).toBeNull();
		}
	});
	it('reads s, ms, µs and ns epochs by magnitude, and ISO strings (no zone = UTC)', () => {
		const ms = 1765432130123;
		expect(toIso(1765432130)).toBe(new Date(1765432130000).toISOString());
		expect(toIso(ms)).toBe(new Date(ms).toISOString());
		expect(toIso(ms * 1000)).toBe(new Date(ms).toISOString());
		expect(toIso('1765432130123000000')).toBe(new Date(ms).toISOString());
		expect(toIso('2024-11-30T07:06:07.912Z')).toBe('2024-11-30T07:06:07.912Z');
		expect(toIso('2024-11-30 07:06:07')).toBe('2024-11-30T07:06:07.000Z');
		expect(toIso('2024-11-30T08:06:07+01:00')).toBe('2024-11-30T07:06:07.000Z');
		for (const bad of ['2024-13-45T99:99:99Z', '+275760-09-13T00:00:00.001Z', 'soon', '', 0, [1]])
			expect(toIso(bad)).toBeNull();
	});
});

describe('objects where strings belong', () => {
	it('a state holding {"toString":1} is no state: a status read stays queued, a callback is not understood', () => {
		const body = { code: 200, data: { taskId: 'task_1', state: { toString: 1 } } };
		expect(parseJobsRecord(body).status).toBe('queued');
		expect(liangxinAdapter.parseCallback(body)).toBeNull();
	});
	it('an id that is an object is no id: never "[object Object]"', async () => {
		const body = { id: { toString: 1 }, status: 'SUCCEEDED', output: ['https://x/v.mp4'] };
		expect(parseRunwayTask('runway', body).taskId).toBe('');
		await expect(runwayAdapter.get(answering(body), 'task-a', 'act_two')).rejects.toMatchObject({
			detail: { code: 'malformed_answer', category: 'provider' },
		});
		await expect(
			runwayAdapter.create(answering({ id: { a: 1 } }), {
				model: 'act_two',
				character: { kind: 'uri', type: 'image', uri: 'https://x/c.png' },
				reference: { kind: 'uri', type: 'video', uri: 'https://x/r.mp4' },
			}),
		).rejects.toThrow(/carries no task id\. The render may have started/);
	});
	it('a toString that throws is never called', () => {
		const hostile = {
			toString() {
				throw new Error('called');
			},
		};
		const body = {
			task_id: 'c1',
			status: hostile,
			state: hostile,
			msg: hostile,
			create_time: hostile,
			video_url: hostile,
		};
		expect(cometAdapter.parseCallback(body)).toBeNull();
		expect(cometAdapter.parseCallback({ ...body, status: '3' })?.status).toBe('succeeded');
	});
});

describe('only a scalar of the documented vocabulary is a status', () => {
	it('["SUCCEEDED"] and other arrays are not succeeded, on every provider', () => {
		expect(parseRunwayTask('runway', { id: 'a', status: ['SUCCEEDED'] }).status).toBe('queued');
		expect(useapiAdapter.parseCallback({ taskId: 'u:1', status: ['SUCCEEDED'] })).toBeNull();
		expect(cometAdapter.parseCallback({ task_id: 'c', status: ['3'] })).toBeNull();
		expect(
			cometAdapter.parseCallback({ task_id: 'c', status: '0', state: ['succeeded'] })?.status,
		).toBe('queued');
		expect(
			liangxinAdapter.parseCallback({ code: 200, data: { taskId: 't', state: ['success'] } }),
		).toBeNull();
		expect(parseJobsRecord({ data: { taskId: 't', state: ['success'] } }).status).toBe('queued');
		expect(
			parseJobsRecord({ code: [501], data: { taskId: 't', state: 'generating' } }).status,
		).toBe('running');
	});
	it('prototype keys are not statuses', () => {
		for (const state of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
			expect(parseJobsRecord({ data: { taskId: 't', state } }).status).toBe('queued');
		for (const status of ['constructor', '__proto__'])
			expect(cometAdapter.parseCallback({ task_id: 'c', status: '1', state: status })?.status).toBe(
				'running',
			);
	});
});

describe('item 5: a status read keeps the id it asked about', () => {
	const cases: Array<[ProviderAdapter, string, unknown, unknown]> = [
		[
			runwayAdapter,
			'rw-1',
			{ status: 'RUNNING', progress: 0.5 },
			{ id: 'rw-2', status: 'SUCCEEDED', output: ['https://x/other.mp4'] },
		],
		[
			useapiAdapter,
			'user:1-task:a',
			{ status: 'RUNNING', progress: 0.5 },
			{ taskId: 'user:1-task:b', status: 'SUCCEEDED', artifacts: [{ url: 'https://x/o.mp4' }] },
		],
		[
			liangxinAdapter,
			'task_a',
			{ status: 'RUNNING', progress: 0.5 },
			{ code: 200, data: { taskId: 'task_b', state: 'success' } },
		],
	];
	it.each(cases.map((c) => [c[0].id, ...c] as const))(
		'%s: an answer without the id, or about another id, is a retryable malformed read',
		async (_p, adapter, id, noId, otherId) => {
			for (const body of [noId, otherId]) {
				const read = adapter.get(answering(body), id, 'act_two');
				await expect(read).rejects.toBeInstanceOf(ProviderError);
				await expect(read).rejects.toMatchObject({
					detail: { code: 'malformed_answer', category: 'provider', retryable: true },
				});
			}
		},
	);
	it('CometAPI: an answer without an id keeps the asked id; one about another id is malformed', async () => {
		const none = await cometAdapter.get(
			answering({ status: 'RUNNING', progress: 0.5 }),
			'cm-1',
			'act_two',
		);
		expect(none).toMatchObject({ taskId: 'cm-1', status: 'running', progress: 0.5 });
		await expect(
			cometAdapter.get(
				answering({ code: 'success', data: { task_id: 'cm-2', status: 'SUCCESS' } }),
				'cm-1',
				'act_two',
			),
		).rejects.toMatchObject({ detail: { code: 'malformed_answer', category: 'provider' } });
		await expect(
			cometAdapter.get(
				answering({ code: 200, data: { task_id: 'cm-2', status: '3' } }),
				'cm-1',
				'act_one',
			),
		).rejects.toMatchObject({ detail: { code: 'malformed_answer' } });
	});
});
