import { cometAdapter } from '../../nodes/ActTwo/providers/comet/adapter';
import { liangxinAdapter, parseJobsRecord } from '../../nodes/ActTwo/providers/liangxin/adapter';
import {
	parseRunwayTask,
	runwayCreateBody,
} from '../../nodes/ActTwo/providers/common/runway-format';
import {
	parseUseapiTask,
	useapiAdapter,
	encodeTaskId,
} from '../../nodes/ActTwo/providers/useapi/adapter';

describe('Runway task shapes (providers.md 1.3)', () => {
	it('maps every documented status', () => {
		const s = (status: string, extra = {}) =>
			parseRunwayTask('runway', {
				id: 't',
				status,
				createdAt: '2024-11-30T07:06:07.912Z',
				...extra,
			}).status;
		expect(
			['PENDING', 'THROTTLED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'].map((x) => s(x)),
		).toEqual(['queued', 'queued', 'running', 'succeeded', 'failed', 'cancelled']);
	});
	it('reads output URLs, progress and moderation failures', () => {
		const ok = parseRunwayTask('runway', {
			id: 'a',
			status: 'SUCCEEDED',
			createdAt: 'x',
			output: ['https://cdn/x.mp4'],
		});
		expect(ok.outputs).toEqual([{ url: 'https://cdn/x.mp4' }]);
		expect(
			parseRunwayTask('runway', { id: 'a', status: 'RUNNING', progress: 0.42 }).progress,
		).toBeCloseTo(0.42);
		const bad = parseRunwayTask('runway', {
			id: 'a',
			status: 'FAILED',
			failure: 'Input image flagged',
			failureCode: 'SAFETY.INPUT.IMAGE',
		});
		expect(bad.error).toMatchObject({
			code: 'SAFETY.INPUT.IMAGE',
			category: 'moderation',
			retryable: false,
			message: 'Input image flagged',
		});
		const internal = parseRunwayTask('runway', {
			id: 'a',
			status: 'FAILED',
			failure: 'bad output',
			failureCode: 'INTERNAL.BAD_OUTPUT.CODE01',
		});
		expect(internal.error).toMatchObject({ category: 'provider', retryable: true });
		expect(parseRunwayTask('runway', { id: 'a', status: 'FAILED' }).error?.message).toMatch(
			/without a reason/,
		);
	});
	it('builds the SDK body', () => {
		expect(
			runwayCreateBody({
				model: 'act_two',
				character: { kind: 'uri', type: 'image', uri: 'https://x/c.png' },
				reference: { kind: 'uri', type: 'video', uri: 'https://x/d.mp4' },
				ratio: '720:1280',
				bodyControl: false,
				expressionIntensity: 5,
				seed: 0,
				publicFigureThreshold: 'low',
			}),
		).toEqual({
			model: 'act_two',
			character: { type: 'image', uri: 'https://x/c.png' },
			reference: { type: 'video', uri: 'https://x/d.mp4' },
			ratio: '720:1280',
			bodyControl: false,
			expressionIntensity: 5,
			seed: 0,
			contentModeration: { publicFigureThreshold: 'low' },
		});
	});
});

describe('useapi.net task (providers.md 2.3, seeds/001)', () => {
	const id = 'user:1-runwayml:me@x.com-task:5e1f';
	it('reads the create answer wrapped in { task }', () => {
		const t = parseUseapiTask({
			task: { taskId: id, status: 'PENDING', progressRatio: '0', artifacts: [], code: 200 },
		});
		expect(t).toMatchObject({ taskId: id, status: 'queued', provider: 'useapi' });
	});
	it('reads progressRatio strings, artifacts and error objects', () => {
		expect(parseUseapiTask({ taskId: id, status: 'RUNNING', progressRatio: '0.5' }).progress).toBe(
			0.5,
		);
		expect(
			parseUseapiTask({ taskId: id, status: 'SUCCEEDED', artifacts: [{ url: 'https://a/v.mp4' }] })
				.outputs[0].url,
		).toBe('https://a/v.mp4');
		const failed = parseUseapiTask({
			taskId: id,
			status: 'FAILED',
			error: { errorMessage: 'Moderated', moderation_category: 'nsfw' },
		});
		expect(failed.error).toMatchObject({ category: 'moderation', message: 'Moderated' });
		expect(parseUseapiTask({ taskId: id, status: 'CANCELLED' }).status).toBe('cancelled');
	});
	it('keeps colons in task ids readable in the path, escapes the rest', () => {
		expect(encodeTaskId(id)).toBe('user:1-runwayml:me%40x.com-task:5e1f');
	});
	it('recognises its callbacks and the replyRef', () => {
		expect(
			useapiAdapter.parseCallback({ taskId: id, status: 'SUCCEEDED', replyRef: 'r-1' })?.replyRef,
		).toBe('r-1');
		expect(useapiAdapter.parseCallback({ hello: 'world' })).toBeNull();
	});
});

describe('CometAPI (providers.md 3)', () => {
	it('parses the legacy feed: "2" failed, "3" succeeded', () => {
		const cb = cometAdapter.parseCallback({
			task_id: 'c1',
			status: '3',
			video_url: 'https://cdn/v.mp4',
			create_time: '1728622596',
		});
		expect(cb).toMatchObject({
			taskId: 'c1',
			status: 'succeeded',
			model: 'act_one',
			createdAt: '2024-10-11T04:56:36.000Z',
		});
		expect(
			cometAdapter.parseCallback({
				task_id: 'c1',
				status: '2',
				msg: 'content rejected by moderation',
			})?.error?.category,
		).toBe('moderation');
		expect(cometAdapter.parseCallback({ task_id: 'c1', status: '1' })?.status).toBe('running');
		expect(
			cometAdapter.parseCallback({ task_id: 'c1', status: '0', state: 'succeeded' })?.status,
		).toBe('succeeded');
	});
	it('parses the new-api wrapper shape', () => {
		const t = cometAdapter.parseCallback({
			code: 'success',
			data: {
				task_id: 'w1',
				status: 'IN_PROGRESS',
				progress: '40%',
				data: { id: 'w1', status: 'RUNNING' },
			},
		});
		expect(t).toMatchObject({ status: 'running', progress: 0.4 });
	});
	it('rejects bodies that are not CometAPI callbacks', () => {
		expect(cometAdapter.parseCallback({ foo: 1 })).toBeNull();
	});
});

describe('LiangXin / Kie jobs (providers.md 4)', () => {
	const rec = (state: string, extra = {}) => ({
		code: 200,
		msg: 'success',
		data: {
			taskId: 'task_1',
			state,
			resultJson: '',
			failCode: '',
			failMsg: '',
			createTime: 1698765400000,
			...extra,
		},
	});
	it('maps states and double-parses resultJson', () => {
		expect(['waiting', 'queuing', 'generating'].map((s) => parseJobsRecord(rec(s)).status)).toEqual(
			['queued', 'queued', 'running'],
		);
		const ok = parseJobsRecord(
			rec('success', { resultJson: '{"resultUrls":["https://r/v.mp4"]}' }),
		);
		expect(ok).toMatchObject({
			status: 'succeeded',
			outputs: [{ url: 'https://r/v.mp4' }],
			createdAt: '2023-10-31T15:16:40.000Z',
		});
	});
	it('treats fail and code 501 as failures with failCode/failMsg', () => {
		expect(
			parseJobsRecord(rec('fail', { failCode: '400', failMsg: 'Sensitive content detected' }))
				.error,
		).toMatchObject({ category: 'moderation' });
		expect(
			parseJobsRecord({
				code: 501,
				msg: 'generation failed',
				data: { taskId: 't', state: 'generating' },
			}).status,
		).toBe('failed');
	});
	it('tolerates task_id and malformed resultJson', () => {
		expect(
			liangxinAdapter.parseCallback({
				code: 200,
				data: { task_id: 'k', state: 'success', resultJson: '{oops' },
			}),
		).toMatchObject({ taskId: 'k', outputs: [] });
		expect(liangxinAdapter.parseCallback({ data: {} })).toBeNull();
	});
});
