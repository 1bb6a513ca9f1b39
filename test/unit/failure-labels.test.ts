/** Issue 9 item 7: a failure's category, retryable flag and hint come from what the provider said, per case. */
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import {
	classifyFailure,
	classifyHttp,
	createOutcomeUnknown,
	mayHaveStarted,
	ProviderError,
	renderFailedError,
} from '../../nodes/ActTwo/core/errors';
import { errorJson, toNodeError } from '../../nodes/ActTwo/actions/helpers/items';
import { aimlAdapter, parseGeneration } from '../../nodes/ActTwo/providers/aiml/adapter';
import { cometAdapter } from '../../nodes/ActTwo/providers/comet/adapter';
import { liangxinAdapter, parseJobsRecord } from '../../nodes/ActTwo/providers/liangxin/adapter';
import { parseRunwayTask } from '../../nodes/ActTwo/providers/common/runway-format';
import { parseUseapiTask, useapiAdapter } from '../../nodes/ActTwo/providers/useapi/adapter';
import { muapiAdapter, parsePrediction } from '../../nodes/ActTwo/providers/muapi/adapter';
import { ADAPTERS } from '../../nodes/ActTwo/providers';
import type { ApiClient, ProviderId, TaskError } from '../../nodes/ActTwo/core/types';

const OUTAGE = /failed on its side/i;
const RETRY_NOW = /retry the request immediately/i;

/** n8n's part of an execute context that toNodeError uses: the node, for NodeApiError. */
const ctx = {
	getNode: (): INode => ({
		id: 'n1',
		name: 'Act-Two',
		type: 'n8n-nodes-act-two.actTwo',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	}),
} as unknown as IExecuteFunctions;

describe('classifyFailure: a failed render is labelled from its code or reason', () => {
	it.each<[string | null, string | null, Pick<TaskError, 'category' | 'retryable'>]>([
		// Runway's documented codes (providers.md 1.3)
		['SAFETY.INPUT.IMAGE', 'Input image flagged', { category: 'moderation', retryable: false }],
		['SAFETY.OUTPUT.VIDEO', 'Output flagged', { category: 'moderation', retryable: false }],
		[
			'INPUT_PREPROCESSING.SAFETY.TEXT',
			'Prompt moderated',
			{ category: 'moderation', retryable: false },
		],
		['INTERNAL.BAD_OUTPUT.CODE01', 'Please try again.', { category: 'provider', retryable: true }],
		['INPUT_PREPROCESSING.INTERNAL', 'Moderation error', { category: 'provider', retryable: true }],
		['INTERNAL', 'Generation failed', { category: 'provider', retryable: true }],
		['THIRD_PARTY.UNAVAILABLE', 'Unavailable', { category: 'provider', retryable: true }],
		[
			'ASSET.INVALID',
			'The asset could not be used',
			{ category: 'invalid_input', retryable: false },
		],
		['INPUT_PREPROCESSING.FACE', 'No face', { category: 'invalid_input', retryable: false }],
		// CometAPI legacy Act-One (status "2", data.msg), measured on a real account
		[null, 'no face detected', { category: 'invalid_input', retryable: false }],
		[null, 'The driving video is too short', { category: 'invalid_input', retryable: false }],
		[null, 'Unsupported video format', { category: 'invalid_input', retryable: false }],
		[
			null,
			'The input image or video did not pass content moderation, points refunded',
			{ category: 'moderation', retryable: false },
		],
		[
			null,
			'Generation failed, please try again later, points refunded',
			{ category: 'provider', retryable: true },
		],
		// LiangXin / Kie: failCode + failMsg; 501 is "generation failed" with no cause of its own
		[
			'501',
			'Generation failed: no face detected in the character image.',
			{ category: 'invalid_input', retryable: false },
		],
		['500', 'Internal Error, Please try again later.', { category: 'provider', retryable: true }],
		['402', 'Credits insufficient', { category: 'credits', retryable: false }],
		// credits spent or refunded is not "out of credits"
		[null, 'Render failed; 25 credits refunded', { category: 'provider', retryable: false }],
		[null, 'Insufficient credits for this render', { category: 'credits', retryable: false }],
		// useapi.net: moderation_category as the code
		['PUBLIC_FIGURE', 'Task failed', { category: 'moderation', retryable: false }],
		// throttling is temporary by nature
		['THROTTLED', 'Task failed', { category: 'provider', retryable: true }],
		[null, 'Throttled upstream for too long', { category: 'provider', retryable: true }],
		// nothing known: provider, and not presented as worth paying for again
		[null, null, { category: 'provider', retryable: false }],
		[null, 'Task failed', { category: 'provider', retryable: false }],
		['E_UNKNOWN', 'Something happened', { category: 'provider', retryable: false }],
	])('%s / %s', (code, message, expected) => {
		expect(classifyFailure(code, message)).toMatchObject(expected);
	});

	it("LiangXin's bare 501 is a failed generation, not a temporary outage (its adapter's rule)", () => {
		expect(classifyFailure('501', '', liangxinAdapter.errors)).toMatchObject({
			category: 'provider',
			retryable: false,
		});
	});
});

describe('the provider parsers hand the reason to it', () => {
	it('CometAPI Act-One callback: status "2", msg "no face detected" → invalid_input, not retryable', () => {
		const task = cometAdapter.parseCallback({
			task_id: 'c1',
			status: '2',
			msg: 'no face detected',
			video_url: null,
		});
		expect(task?.status).toBe('failed');
		expect(task?.error).toMatchObject({
			category: 'invalid_input',
			retryable: false,
			message: 'no face detected',
		});
	});
	it('LiangXin: a 501 envelope (callback) and a fail record (poll) with the cause in failMsg', () => {
		const data = {
			taskId: 't1',
			state: 'fail',
			failCode: '501',
			failMsg: 'Generation failed: no face detected in the character image.',
		};
		expect(
			liangxinAdapter.parseCallback({ code: 501, msg: data.failMsg, data })?.error,
		).toMatchObject({ category: 'invalid_input', retryable: false });
		expect(parseJobsRecord({ code: 200, msg: 'success', data }).error).toMatchObject({
			category: 'invalid_input',
			retryable: false,
		});
	});
	it('Muapi: the reason in error (a string or {message}) or in a bare detail decides; a webhook too', () => {
		const failed = (error: unknown) => parsePrediction({ id: 'p1', status: 'failed', error }).error;
		expect(failed('No face detected in the character input')).toMatchObject({
			category: 'invalid_input',
			retryable: false,
			message: 'No face detected in the character input',
		});
		expect(failed({ message: 'Content flagged by the safety system' })).toMatchObject({
			category: 'moderation',
		});
		expect(failed('Upstream provider temporarily unavailable, try again')).toMatchObject({
			category: 'provider',
			retryable: true,
		});
		expect(failed(null)).toMatchObject({ category: 'provider', retryable: false });
		expect(
			muapiAdapter.parseCallback({ id: 'p1', status: 'failed', error: 'no face detected' })?.error,
		).toMatchObject({ category: 'invalid_input', retryable: false });
	});

	it('Muapi: a result read answered HTTP 400 is the failed prediction, with the reason of its body', async () => {
		const answer400 = (body: unknown): ApiClient => ({
			request: async () => {
				throw new ProviderError(
					'muapi',
					{ code: '400', message: 'HTTP 400', category: 'invalid_input', retryable: false },
					400,
					body,
				);
			},
		});
		const read = async (body: unknown) => await muapiAdapter.get(answer400(body), 'p1', 'act_two');
		expect(
			await read({ detail: { id: 'p1', status: 'failed', error: 'No face detected' } }),
		).toMatchObject({
			taskId: 'p1',
			status: 'failed',
			error: { category: 'invalid_input', message: 'No face detected' },
		});
		expect(await read({ detail: 'Prediction failed' })).toMatchObject({
			taskId: 'p1',
			status: 'failed',
			error: { category: 'provider', retryable: false, message: 'Prediction failed' },
		});
		// a body without a reason: a failure without one, not "HTTP 400"
		expect((await read(null)).error?.message).toBe(
			'The task failed without a reason from the provider.',
		);
		// about another prediction: a malformed read, never that prediction's failure
		await expect(read({ id: 'p2', status: 'failed' })).rejects.toMatchObject({
			detail: { code: 'malformed_answer', retryable: true },
		});
	});

	it('Runway and useapi.net: the failure code decides', () => {
		expect(
			parseRunwayTask('runway', {
				id: 'a',
				status: 'FAILED',
				failure: 'x',
				failureCode: 'ASSET.INVALID',
			}).error,
		).toMatchObject({ category: 'invalid_input', retryable: false });
		expect(
			parseUseapiTask({
				taskId: 'u',
				status: 'FAILED',
				error: { errorMessage: 'No face', reason: 'ASSET.INVALID', moderation_category: null },
			}).error,
		).toMatchObject({ category: 'invalid_input', retryable: false });
	});
});

describe('hints match their case', () => {
	const failed = (code: string | null, message: string) =>
		renderFailedError('comet', classifyFailure(code, message), {});

	it('a render that failed on its input says to fix the input, not that the provider failed', () => {
		const { description } = failed(null, 'no face detected');
		expect(description).not.toMatch(OUTAGE);
		expect(description).toMatch(/same inputs will fail again/);
		expect(description).toMatch(/category: invalid_input/);
	});
	it('a render failure the provider marks temporary says running again may succeed and bills', () => {
		const { description } = failed('INTERNAL.BAD_OUTPUT.CODE01', 'Please try again.');
		expect(description).toMatch(/marks as temporary/);
		expect(description).toMatch(/may bill/);
	});
	it('an unexplained render failure reads as neither an outage nor a free retry', () => {
		const { description } = failed(null, 'Task failed');
		expect(description).not.toMatch(OUTAGE);
		expect(description).toMatch(/does not mark it as temporary/);
	});
	it('a cancelled render says it was cancelled', () => {
		const error = renderFailedError(
			'runway',
			{
				code: 'cancelled',
				message: 'Task t ended as cancelled',
				category: 'provider',
				retryable: false,
			},
			{},
		);
		expect(error.description).toMatch(/was cancelled/);
	});
	it('a request error keeps its own hint', () => {
		const e = new ProviderError(
			'runway',
			{ code: '503', message: 'down', category: 'provider', retryable: true },
			503,
			{},
		);
		expect(e.description).toMatch(OUTAGE);
	});
});

describe('a create whose outcome is unknown', () => {
	const err = (code: string, httpCode: number | null, provider: ProviderId = 'runway') =>
		new ProviderError(
			provider,
			{ code, message: 'x', category: 'provider', retryable: true },
			httpCode,
			null,
		);

	it.each<[string, number | null, boolean]>([
		['connection', null, true],
		['malformed_response', 200, true],
		['500', 500, true],
		['502', 502, true],
		['500', 200, true], // a business code 500 in an HTTP 200 body
		['400', 400, false],
		['402', 200, false],
		['429', 429, false],
	])('code %s (HTTP %s): may have started = %s', (code, http, expected) => {
		expect(mayHaveStarted(err(code, http))).toBe(expected);
	});

	it("useapi.net's 596 (the linked account's session is broken) started nothing (its adapter's rule)", () => {
		expect(mayHaveStarted(err('596', 596, 'useapi'), useapiAdapter.errors)).toBe(false);
		expect(mayHaveStarted(err('596', 596))).toBe(true);
	});

	it('becomes an error saying the render may have started and be billed, and where to check; never "retry immediately"', () => {
		for (const provider of Object.keys(ADAPTERS)) {
			const marked = createOutcomeUnknown(
				new ProviderError(
					provider,
					{
						code: 'connection',
						message: 'Could not get an answer from the provider: read ECONNRESET',
						category: 'provider',
						retryable: true,
					},
					null,
					null,
				),
				ADAPTERS[provider].errors,
			) as ProviderError;
			const nodeError = toNodeError(ctx, marked, 0);
			expect(nodeError.description).toContain(ADAPTERS[provider].errors.taskList);
			expect(nodeError.message).toMatch(
				/Could not get an answer from the provider: read ECONNRESET$/,
			);
			expect(nodeError.description).toMatch(/may have started and may be billed/);
			expect(nodeError.description).toMatch(/Before trying again, look for a render/);
			expect(`${nodeError.message} ${nodeError.description}`).not.toMatch(RETRY_NOW);
			expect(errorJson(nodeError).details).toMatchObject({ retryable: false });
		}
	});

	it('a clear refusal is left as it is', () => {
		const refused = createOutcomeUnknown(err('400', 400)) as ProviderError;
		expect(refused.situation).toBe('request');
	});
});

it('Continue On Fail items carry retryable next to the category', () => {
	const nodeError = toNodeError(
		ctx,
		renderFailedError(
			'liangxin',
			classifyFailure('500', 'Internal Error, Please try again later.'),
			{},
		),
		0,
	);
	expect(errorJson(nodeError).details).toMatchObject({
		category: 'provider',
		code: '500',
		retryable: true,
	});
});

it('seeded fuzz: any code and reason give one of the categories, and retryable only for provider or rate_limited', () => {
	let seed = 0x9e3779b9;
	const rand = () => {
		seed ^= seed << 13;
		seed ^= seed >>> 17;
		seed ^= seed << 5;
		return (seed >>> 0) / 0x100000000;
	};
	const words = [
		'no face detected',
		'SAFETY.INPUT.IMAGE',
		'INTERNAL',
		'ASSET.',
		'credits',
		'refunded',
		'try again',
		'501',
		'500',
		'\u0000',
		'💥',
		'.',
		' ',
		'INPUT_PREPROCESSING.',
		'moderation',
		'timeout',
	];
	const pick = () =>
		rand() < 0.1
			? null
			: Array.from({ length: Math.floor(rand() * 4) }, () =>
					rand() < 0.7
						? words[Math.floor(rand() * words.length)]
						: String.fromCharCode(Math.floor(rand() * 0xffff)),
				).join('');
	for (let i = 0; i < 20_000; i++) {
		const code = pick();
		const message = pick();
		const e = classifyFailure(code, message);
		expect(e.message.length).toBeGreaterThan(0);
		if (e.retryable) expect(['provider', 'rate_limited']).toContain(e.category);
		if (e.category === 'moderation' || e.category === 'invalid_input')
			expect(e.retryable).toBe(false);
	}
});

describe('AIML API: a failed generation is labelled from its error in each of its three shapes', () => {
	const failed = (error: unknown) =>
		parseGeneration({ id: 'g1', status: 'error', video: null, error }).error;

	it.each<[string, unknown, Partial<TaskError>]>([
		[
			'{name, message} (documented)',
			{ name: 'SAFETY.INPUT.IMAGE', message: 'Input image flagged' },
			{ category: 'moderation', code: 'SAFETY.INPUT.IMAGE', retryable: false },
		],
		[
			'a string (the legacy Runway DTO)',
			'An unexpected error occurred while generating the output. Please try again.',
			{ category: 'provider', code: '', retryable: true },
		],
		[
			'{detail: [{loc, msg, type}]} (a recorded failure)',
			{
				detail: [
					{
						loc: ['body', 'image_url'],
						msg: 'Could not detect face in the image',
						type: 'face_detection_error',
					},
				],
			},
			{
				category: 'invalid_input',
				code: 'face_detection_error',
				message: 'Could not detect face in the image',
				retryable: false,
			},
		],
		[
			'nothing usable',
			{ detail: [{ loc: 1 }], name: { toString: 1 } },
			{
				category: 'provider',
				message: 'The task failed without a reason from the provider.',
				retryable: false,
			},
		],
	])('%s', (_label, error, expected) => {
		expect(failed(error)).toMatchObject(expected);
	});

	it('a long reason is cut short', () => {
		expect(failed('x'.repeat(10_000))?.message.length).toBeLessThanOrEqual(301);
	});

	it.each<[number, string, string]>([
		[
			403,
			"You've run out of credits. Please top up your balance or update your payment method to continue: https://aimlapi.com/app/billing/",
			'credits',
		],
		[403, '', 'credits'],
		[403, 'Invalid API key', 'auth'],
		[
			401,
			'This request requires a valid API key. You can create a new API key on the Billing page: https://aimlapi.com/app/keys',
			'auth',
		],
		[
			400,
			'Body validation error! seed: Number must be less than or equal to 4294967295',
			'invalid_input',
		],
		[504, 'Generation timeout', 'provider'],
	])('HTTP %i "%s" → %s (out of credits is 403 on AIML, not 402)', (status, message, category) => {
		expect(
			classifyHttp(
				status,
				message ? { message, statusCode: String(status) } : {},
				aimlAdapter.errors,
			).category,
		).toBe(category);
	});
});
