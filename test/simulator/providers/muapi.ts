import { randomUUID } from 'node:crypto';

import { contentTypeFor } from '../files';
import { type Ctx, type Route, isPlainObject } from '../http';
import { type MediaKind, MB, checkReferenceDuration, resolveUri } from '../media';
import { parseMp4 } from '../mp4';
import { multipartBoundary, parseMultipart } from '../multipart';
import { KEYS, type SimState } from '../state';
import type { SimTask } from '../types';
import { runwayFailure } from './runway';

/** Muapi's base URL includes the API path (https://api.muapi.ai/api/v1). */
export const MUAPI_PREFIX = '/muapi/api/v1';
export const MUAPI_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'];
/** The catalog prices per request (US dollars); credits are invented as 1 credit = 1 cent. */
export const MUAPI_PRICE_USD = { i2v: 0.07, v2v: 0.3 } as const;
const START_BALANCE = 100;
const PYDANTIC = 'https://errors.pydantic.dev/2.12/v/';

type Endpoint = 'i2v' | 'v2v';
const FIELDS: Record<Endpoint, { character: string; kind: MediaKind }> = {
	i2v: { character: 'image_url', kind: 'image' },
	v2v: { character: 'video_url', kind: 'video' },
};

export const MUAPI_MESSAGES = {
	401: 'Invalid API key',
	402: 'Insufficient credits. Please top up your balance at https://muapi.ai',
	404: 'Not Found',
	405: 'Method Not Allowed',
	429: 'Rate limit exceeded. Please retry later.',
	500: 'Internal Server Error',
} as const;

/** FastAPI's error body: {detail: "<string>"} (or a pydantic issue list for 422). */
export function muapiErrorBody(status: number, message?: string): unknown {
	const text = (MUAPI_MESSAGES as Record<number, string>)[status];
	return {
		detail: message ?? text ?? (status >= 500 ? MUAPI_MESSAGES[500] : 'Request failed'),
	};
}

interface Issue {
	type: string;
	loc: Array<string | number>;
	msg: string;
	input: unknown;
	ctx?: Record<string, unknown>;
	url?: string;
}

const issue = (
	type: string,
	loc: Array<string | number>,
	msg: string,
	input: unknown,
	ctx?: Record<string, unknown>,
): Issue => ({ type, loc, msg, input, ...(ctx ? { ctx } : {}), url: PYDANTIC + type });

function unprocessable(ctx: Ctx, issues: Issue[]): void {
	ctx.send(422, { detail: issues }, balanceHeader(ctx.sim));
}

function balance(sim: SimState): number {
	const spent = sim.taskList
		.filter((t) => t.provider === 'muapi' && t.phase !== 'failed')
		.reduce((sum, t) => sum + costUsd(t), 0);
	return Math.round((START_BALANCE - spent) * 10000) / 10000;
}

function balanceHeader(sim: SimState): Record<string, string> {
	return { 'x-account-balance': String(balance(sim)) };
}

function authorize(ctx: Ctx): boolean {
	const key = ctx.header('x-api-key');
	if (key !== KEYS.muapi) {
		ctx.send(
			401,
			muapiErrorBody(401, key ? undefined : 'Missing API key: send it in the x-api-key header'),
		);
		return false;
	}
	return true;
}

const costUsd = (task: SimTask): number => MUAPI_PRICE_USD[task.extra.endpoint as Endpoint];

/** Failed tasks are refunded as soon as they fail. */
function costOf(task: SimTask): Record<string, unknown> {
	const usd = costUsd(task);
	return {
		amount_usd: usd,
		amount_credits: Math.round(usd * 100),
		bonus_credits_used: 0,
		refunded: task.phase === 'failed',
	};
}

function costHeaders(task: SimTask): Record<string, string> {
	const c = costOf(task);
	return {
		'x-muapi-cost-usd': String(c.amount_usd),
		'x-muapi-cost-credits': String(c.amount_credits),
		...(c.refunded ? { 'x-muapi-cost-refunded': 'true' } : {}),
	};
}

function validate(
	ctx: Ctx,
	endpoint: Endpoint,
	raw: unknown,
): Issue[] | { character: string; reference: string; aspectRatio: string } {
	if (raw === undefined) return [issue('missing', ['body'], 'Field required', null)];
	if (raw instanceof Error)
		return [
			issue('json_invalid', ['body', 0], 'JSON decode error', {}, { error: 'Expecting value' }),
		];
	if (!isPlainObject(raw))
		return [
			issue(
				'model_attributes_type',
				['body'],
				'Input should be a valid dictionary or object to extract fields from',
				raw,
			),
		];
	const issues: Issue[] = [];
	const str = (key: string) => {
		const v = raw[key];
		if (v === undefined) issues.push(issue('missing', ['body', key], 'Field required', raw));
		else if (typeof v !== 'string')
			issues.push(issue('string_type', ['body', key], 'Input should be a valid string', v));
	};
	const { character } = FIELDS[endpoint];
	str(character);
	str('reference_video_url');
	const ar = raw.aspect_ratio;
	if (ar !== undefined && !MUAPI_ASPECT_RATIOS.includes(ar as string)) {
		const expected =
			MUAPI_ASPECT_RATIOS.slice(0, -1)
				.map((r) => "'" + r + "'")
				.join(', ') +
			" or '" +
			MUAPI_ASPECT_RATIOS[MUAPI_ASPECT_RATIOS.length - 1] +
			"'";
		issues.push(
			issue('literal_error', ['body', 'aspect_ratio'], 'Input should be ' + expected, ar, {
				expected,
			}),
		);
	}
	if (ctx.sim.opts.muapiExtraFields === 'forbid') {
		for (const [k, v] of Object.entries(raw)) {
			if (![character, 'reference_video_url', 'aspect_ratio'].includes(k))
				issues.push(issue('extra_forbidden', ['body', k], 'Extra inputs are not permitted', v));
		}
	}
	const webhook = ctx.query.get('webhook');
	if (webhook !== null) {
		let ok = false;
		try {
			const u = new URL(webhook);
			ok = u.protocol === 'https:' || u.protocol === 'http:';
		} catch {
			ok = false;
		}
		if (!ok)
			issues.push(
				issue(
					'url_parsing',
					['query', 'webhook'],
					'Input should be a valid URL, relative URL without a base',
					webhook,
					{ error: 'relative URL without a base' },
				),
			);
	}
	if (issues.length) return issues;
	return {
		character: raw[character] as string,
		reference: raw.reference_video_url as string,
		aspectRatio: (ar as string | undefined) ?? '16:9',
	};
}

function create(endpoint: Endpoint) {
	return async (ctx: Ctx): Promise<void> => {
		if (!authorize(ctx)) return;
		const body = ctx.json();
		const v = validate(ctx, endpoint, body);
		if (Array.isArray(v)) {
			unprocessable(ctx, v);
			return;
		}
		const { character, kind } = FIELDS[endpoint];
		const c = await resolveUri(ctx.sim, v.character, kind, { data: false, runway: false });
		if (!c.ok) {
			ctx.send(400, muapiErrorBody(400, character + ': ' + c.message), balanceHeader(ctx.sim));
			return;
		}
		const r = await resolveUri(ctx.sim, v.reference, 'video', { data: false, runway: false });
		const durationErr = r.ok ? checkReferenceDuration(r.data, r.contentType) : null;
		if (!r.ok || durationErr) {
			ctx.send(
				400,
				muapiErrorBody(400, 'reference_video_url: ' + (r.ok ? durationErr : r.message)),
				balanceHeader(ctx.sim),
			);
			return;
		}
		const outcome = ctx.sim.takeOutcome('muapi');
		if (outcome === 'no_credits') {
			ctx.send(402, muapiErrorBody(402), balanceHeader(ctx.sim));
			return;
		}
		const task = ctx.sim.createTask({
			provider: 'muapi',
			api: 'muapi',
			model: 'act_two',
			outcome,
			input: body,
			callbackUrl: ctx.query.get('webhook'),
			extra: {
				endpoint,
				characterType: kind,
				aspectRatio: v.aspectRatio,
			},
		});
		const answer =
			ctx.sim.opts.muapiCreateShape === 'legacy'
				? { request_id: task.id }
				: { request_id: task.id, status: 'processing', cost: costOf(task) };
		ctx.send(200, answer, { ...costHeaders(task), ...balanceHeader(ctx.sim) });
	};
}

function status(task: SimTask): string {
	switch (task.phase) {
		case 'queued':
			return 'pending';
		case 'throttled':
			return 'queued';
		case 'running':
			return 'processing';
		case 'succeeded':
			return 'completed';
		case 'cancelled':
			return 'cancelled';
		default:
			return 'failed';
	}
}

function failureMessage(task: SimTask): string {
	if (task.failure?.kind === 'no_face') return 'No face detected in the character input';
	if (task.failure?.kind === 'moderation') return runwayFailure(task).failure;
	return 'Generation failed: the upstream provider returned an error';
}

const resultUrl = (sim: SimState, id: string): string =>
	sim.url + MUAPI_PREFIX + '/predictions/' + encodeURIComponent(id) + '/result';

const seconds = (ms: number | null): number | null =>
	ms === null ? null : Math.round(ms / 10) / 100;

/** The prediction as the webhook doc shows it (also the base of the result body). */
export function predictionJson(sim: SimState, task: SimTask): Record<string, unknown> {
	const s = status(task);
	const url = task.outputUrl;
	const outputs =
		s === 'completed' && url ? [sim.opts.muapiOutputs === 'objects' ? { url } : url] : [];
	return {
		id: task.id,
		status: s,
		outputs,
		urls: { get: resultUrl(sim, task.id) },
		has_nsfw_contents: outputs.map(() => false),
		created_at: new Date(task.createdAt).toISOString(),
		error: s === 'failed' ? failureMessage(task) : null,
		executionTime: task.finishedAt ? seconds(task.finishedAt - task.createdAt) : null,
		timings: {
			inference:
				task.finishedAt && task.startedAt ? seconds(task.finishedAt - task.startedAt) : null,
		},
	};
}

function result(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = ctx.sim.findTask('muapi', decodeURIComponent(m[1]));
	if (!task) {
		ctx.send(404, muapiErrorBody(404, 'Prediction not found'), balanceHeader(ctx.sim));
		return;
	}
	const body = { ...predictionJson(ctx.sim, task), cost: costOf(task) };
	const headers = { ...costHeaders(task), ...balanceHeader(ctx.sim) };
	if (task.phase !== 'failed') {
		ctx.send(200, body, headers);
		return;
	}
	// A failed prediction: HTTP 400 (as Muapi's own clients expect), optionally FastAPI-wrapped in detail.
	const status = ctx.sim.opts.muapiFailedHttpStatus === '200' ? 200 : 400;
	ctx.send(status, ctx.sim.opts.muapiResultShape === 'detail' ? { detail: body } : body, headers);
}

function limitFor(name: string): { cap: number; label: string } {
	const ext = name.toLowerCase().split('.').pop() ?? '';
	if (['mp4', 'mov'].includes(ext)) return { cap: 50 * MB, label: 'videos' };
	if (['jpg', 'jpeg', 'png', 'webp'].includes(ext)) return { cap: 10 * MB, label: 'images' };
	return { cap: 10 * MB, label: 'files' };
}

function upload(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const missing = () =>
		unprocessable(ctx, [issue('missing', ['body', 'file'], 'Field required', null)]);
	const boundary = multipartBoundary(ctx.header('content-type'));
	if (!boundary) {
		missing();
		return;
	}
	let file;
	try {
		file = parseMultipart(ctx.body, boundary).find((p) => p.name === 'file');
	} catch (error) {
		ctx.send(
			400,
			muapiErrorBody(400, 'There was an error parsing the body: ' + (error as Error).message),
		);
		return;
	}
	if (!file || file.filename === null) {
		missing();
		return;
	}
	const name = file.filename || 'upload.bin';
	const { cap, label } = limitFor(name);
	if (file.data.length > cap) {
		ctx.send(
			413,
			muapiErrorBody(413, 'File too large: the limit for ' + label + ' is ' + cap / MB + ' MB'),
		);
		return;
	}
	const declared = (file.contentType ?? '').split(';')[0].trim().toLowerCase();
	const contentType =
		declared && declared !== 'application/octet-stream' ? declared : contentTypeFor(name);
	const mp4 = /^video\//.test(contentType) ? parseMp4(file.data) : null;
	const id = randomUUID().replace(/-/g, '').slice(0, 16);
	ctx.sim.muapiUploads.set(id, {
		id,
		name,
		contentType,
		data: Buffer.from(file.data),
		duration: mp4 ? mp4.durationSeconds : null,
		createdAt: Date.now(),
	});
	ctx.send(
		200,
		{ url: ctx.sim.url + '/files/muapi/' + id + '/' + encodeURIComponent(name) },
		balanceHeader(ctx.sim),
	);
}

function accountBalance(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	ctx.send(200, { balance: balance(ctx.sim), currency: 'USD' }, balanceHeader(ctx.sim));
}

export const muapiRoutes: Route[] = [
	{ method: 'POST', pattern: /^\/runway-act-two-i2v\/?$/, handler: create('i2v') },
	{ method: 'POST', pattern: /^\/runway-act-two-v2v\/?$/, handler: create('v2v') },
	{ method: 'GET', pattern: /^\/predictions\/([^/]+)\/result\/?$/, handler: result },
	{ method: 'POST', pattern: /^\/upload_file\/?$/, handler: upload },
	{ method: 'GET', pattern: /^\/account\/balance\/?$/, handler: accountBalance },
];

export function registerMuapi(sim: SimState): void {
	// ?webhook=: one unsigned POST of the prediction when it completes or fails (outputs / error as documented).
	sim.onTaskChange('muapi', (task, event) => {
		if (event !== 'final' || !task.callbackUrl) return;
		const p = predictionJson(sim, task);
		const body: Record<string, unknown> = { ...p };
		if (p.status === 'completed') delete body.error;
		else delete body.outputs;
		sim.callbacks.send({ provider: 'muapi', taskId: task.id, url: task.callbackUrl, event, body });
	});
}
