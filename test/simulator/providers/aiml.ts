import { randomUUID } from 'node:crypto';

import { type Ctx, type Route, isPlainObject } from '../http';
import { checkReferenceDuration, resolveUri } from '../media';
import { KEYS, type SimState } from '../state';
import type { SimTask } from '../types';
import { RUNWAY_RATIOS, runwayFailure } from './runway';

/** AIML's base URL is the host root (https://api.aimlapi.com). */
export const AIML_PREFIX = '/aiml';
export const AIML_MODEL = 'runway/act_two';
/** AIML's shared Runway enum: the six Act-Two ratios plus two that are not Act-Two ratios on Runway. */
export const AIML_FRAME_SIZES = [...RUNWAY_RATIOS, '848:480', '640:480'];
/** Invented (AIML's Act-Two price is UNCONFIRMED): what a completed generation costs. */
export const AIML_CREDITS_PER_TASK = 1260;
export const AIML_USD_PER_TASK = 0.63;
const START_BALANCE = 100;

export const AIML_MESSAGES = {
	401: 'This request requires a valid API key. You can create a new API key on the Billing page: https://aimlapi.com/app/keys',
	403: "You've run out of credits. Please top up your balance or update your payment method to continue: https://aimlapi.com/app/billing/",
	404: 'Not Found',
	429: 'Too Many Requests',
	500: 'Internal server error',
	502: 'Bad Gateway',
	503: 'Service unavailable',
	504: 'Generation timeout',
} as const;

/** AIML's general error body (statusCode is a string in the documented example). */
export function aimlErrorBody(path: string, status: number, message?: string): unknown {
	return {
		message:
			message ??
			(AIML_MESSAGES as Record<number, string>)[status] ??
			'Request failed with status ' + status,
		path,
		requestId: randomUUID(),
		statusCode: String(status),
		timestamp: new Date().toISOString(),
	};
}

/** X-Client-Request-Id is echoed when it is 1-128 chars of A-Z a-z 0-9 . _ : - (otherwise silently dropped). */
function echoHeaders(ctx: Ctx): Record<string, string> {
	const id = ctx.header('x-client-request-id');
	return id && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? { 'x-client-request-id': id } : {};
}

function fail(ctx: Ctx, status: number, message?: string): void {
	ctx.send(status, aimlErrorBody(ctx.url.pathname, status, message), echoHeaders(ctx));
}

function authorize(ctx: Ctx): boolean {
	if (ctx.bearer() !== KEYS.aiml) {
		fail(ctx, 401);
		return false;
	}
	return true;
}

type Media = { type: 'image' | 'video'; url: string };

/** zod-style issues, reported as "Body validation error! <path>: <message>; ...". */
function validate(b: Record<string, unknown>): string[] | { character: Media; reference: Media } {
	const issues: string[] = [];
	const enumMsg = (values: string[], got: unknown) =>
		'Invalid enum value. Expected ' +
		values.map((v) => "'" + v + "'").join(' | ') +
		", received '" +
		String(got) +
		"'";
	if (b.model === undefined) issues.push('model: Required');
	else if (b.model !== AIML_MODEL) issues.push('model: ' + enumMsg([AIML_MODEL], b.model));
	const media = (key: 'character' | 'reference', types: string[]): Media | null => {
		const v = b[key];
		if (v === undefined) {
			issues.push(key + ': Required');
			return null;
		}
		if (!isPlainObject(v)) {
			issues.push(key + ': Expected object, received ' + (Array.isArray(v) ? 'array' : typeof v));
			return null;
		}
		let ok = true;
		if (typeof v.type !== 'string' || !types.includes(v.type)) {
			issues.push(
				key +
					'.type: Invalid discriminator value. Expected ' +
					types.map((t) => "'" + t + "'").join(' | '),
			);
			ok = false;
		}
		if (v.url === undefined) {
			issues.push(key + '.url: Required');
			ok = false;
		} else if (typeof v.url !== 'string') {
			issues.push(key + '.url: Expected string, received ' + typeof v.url);
			ok = false;
		} else {
			try {
				new URL(v.url);
			} catch {
				issues.push(key + '.url: Invalid url');
				ok = false;
			}
		}
		return ok ? { type: v.type as Media['type'], url: v.url as string } : null;
	};
	const character = media('character', ['image', 'video']);
	const reference = media('reference', ['video']);
	if (b.frame_size !== undefined && !AIML_FRAME_SIZES.includes(b.frame_size as string))
		issues.push('frame_size: ' + enumMsg(AIML_FRAME_SIZES, b.frame_size));
	if (b.body_control !== undefined && typeof b.body_control !== 'boolean')
		issues.push('body_control: Expected boolean, received ' + typeof b.body_control);
	const int = (key: string, min: number, max: number) => {
		const v = b[key];
		if (v === undefined) return;
		if (typeof v !== 'number') issues.push(key + ': Expected number, received ' + typeof v);
		else if (!Number.isInteger(v)) issues.push(key + ': Expected integer, received float');
		else if (v < min) issues.push(key + ': Number must be greater than or equal to ' + min);
		else if (v > max) issues.push(key + ': Number must be less than or equal to ' + max);
	};
	int('expression_intensity', 1, 5);
	int('seed', 0, 4294967295);
	if (issues.length || !character || !reference) return issues;
	return { character, reference };
}

async function create(ctx: Ctx): Promise<void> {
	if (!authorize(ctx)) return;
	const b = ctx.json();
	if (b instanceof Error || !isPlainObject(b)) {
		fail(
			ctx,
			400,
			'Body validation error! ' +
				(b instanceof Error
					? 'Invalid JSON: ' + b.message
					: 'Expected object, received ' + typeof b),
		);
		return;
	}
	const v = validate(b);
	if (Array.isArray(v)) {
		fail(ctx, 400, 'Body validation error! ' + v.join('; '));
		return;
	}
	// Only URLs (data URIs are UNCONFIRMED for act_two: rejected here); loopback URLs are fetched and checked.
	const c = await resolveUri(ctx.sim, v.character.url, v.character.type, {
		data: false,
		runway: false,
	});
	if (!c.ok) {
		fail(ctx, 400, 'character.url: ' + c.message);
		return;
	}
	const r = await resolveUri(ctx.sim, v.reference.url, 'video', { data: false, runway: false });
	const durationErr = r.ok ? checkReferenceDuration(r.data, r.contentType) : null;
	if (!r.ok || durationErr) {
		fail(ctx, 400, 'reference.url: ' + (r.ok ? durationErr : r.message));
		return;
	}
	const outcome = ctx.sim.takeOutcome('aiml');
	if (outcome === 'no_credits') {
		fail(ctx, 403);
		return;
	}
	const task = ctx.sim.createTask({
		provider: 'aiml',
		api: 'aiml',
		model: 'act_two',
		outcome,
		input: b,
		extra: { characterType: v.character.type, characterUrl: v.character.url },
	});
	ctx.send(
		200,
		{ id: task.id, status: 'queued' },
		{ 'x-inference-id': task.id, ...echoHeaders(ctx) },
	);
}

function status(sim: SimState, task: SimTask): string {
	switch (task.phase) {
		case 'queued':
		case 'throttled':
			return 'queued';
		case 'running':
			return 'generating';
		case 'succeeded':
			return sim.opts.aimlCompletedStatus;
		default:
			return 'error';
	}
}

function videoOf(sim: SimState, url: string): unknown {
	switch (sim.opts.aimlVideoShape) {
		case 'object':
			return { url };
		case 'objects':
			return [{ url }];
		case 'string':
			return url;
		default:
			return [url];
	}
}

function errorOf(sim: SimState, task: SimTask): unknown {
	const { failure, failureCode } = runwayFailure(task);
	switch (sim.opts.aimlErrorShape) {
		case 'string':
			return failure;
		case 'detail': {
			const noFace = task.failure?.kind === 'no_face';
			return {
				detail: [
					{
						loc: ['body', 'character', 'url'],
						msg: noFace ? 'Could not detect face in the image' : failure,
						type: noFace
							? 'face_detection_error'
							: task.failure?.kind === 'moderation'
								? 'content_moderation_error'
								: 'generation_error',
						input: task.extra.characterUrl,
					},
				],
			};
		}
		default:
			return { name: failureCode, message: failure };
	}
}

/** The generation object: the documented fields; `meta` only with the documented {url} video shape. */
export function generationJson(sim: SimState, task: SimTask): Record<string, unknown> {
	const done = task.phase === 'succeeded';
	const out: Record<string, unknown> = {
		id: task.id,
		status: status(sim, task),
		video: done && task.outputUrl ? videoOf(sim, task.outputUrl) : null,
		error: task.phase === 'failed' ? errorOf(sim, task) : null,
	};
	if (sim.opts.aimlVideoShape === 'object')
		out.meta = done ? { usage: { credits_used: AIML_CREDITS_PER_TASK } } : null;
	return out;
}

function poll(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const id = ctx.query.get('generation_id');
	if (!id) {
		fail(ctx, 400, 'Query validation error! generation_id: Required');
		return;
	}
	const wellFormed = /^[A-Za-z0-9._:-]{1,200}$/.test(id);
	const inference: Record<string, string> = wellFormed ? { 'x-inference-id': id } : {};
	const task = ctx.sim.findTask('aiml', id);
	if (!task) {
		ctx.send(404, aimlErrorBody(ctx.url.pathname, 404, 'Generation not found'), {
			...inference,
			...echoHeaders(ctx),
		});
		return;
	}
	// The charge is recorded once the generation reports completed; failed ones are never charged.
	const charged: Record<string, string> =
		task.phase === 'succeeded'
			? {
					'x-aimlapi-credits-used': String(AIML_CREDITS_PER_TASK),
					'x-aimlapi-usd-spent': String(AIML_USD_PER_TASK),
				}
			: {};
	ctx.send(200, generationJson(ctx.sim, task), { ...inference, ...charged, ...echoHeaders(ctx) });
}

function billing(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const spent =
		ctx.sim.taskList.filter((t) => t.provider === 'aiml' && t.phase === 'succeeded').length *
		AIML_USD_PER_TASK;
	ctx.send(
		200,
		{ current_balance: Math.round((START_BALANCE - spent) * 100) / 100, currency: 'USD' },
		echoHeaders(ctx),
	);
}

export const aimlRoutes: Route[] = [
	{ method: 'POST', pattern: /^\/v2\/video\/generations\/?$/, handler: create },
	{ method: 'GET', pattern: /^\/v2\/video\/generations\/?$/, handler: poll },
	// The legacy vendor-prefixed alias, same body and query.
	{ method: 'POST', pattern: /^\/v2\/generate\/video\/runway\/generation\/?$/, handler: create },
	{ method: 'GET', pattern: /^\/v2\/generate\/video\/runway\/generation\/?$/, handler: poll },
	{ method: 'GET', pattern: /^\/v2\/billing\/?$/, handler: billing },
];

export function registerAiml(sim: SimState): void {
	sim.onTaskChange('aiml', () => undefined); // AIML sends no callbacks
}
