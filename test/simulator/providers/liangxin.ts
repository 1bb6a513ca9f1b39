import { createHmac } from 'node:crypto';

import { type Ctx, type Route, isPlainObject } from '../http';
import { checkReferenceDuration, resolveUri } from '../media';
import { KEYS, type SimState } from '../state';
import type { SimTask } from '../types';
import { RUNWAY_RATIOS } from './runway';

export const LIANGXIN_MODEL = 'runway-act-two';

/** A Kie-style business answer: body {code, msg, data}; HTTP status = code unless configured '200'. */
function kie(ctx: Ctx, code: number, msg: string, data: unknown = null): void {
	const status = code === 200 || ctx.sim.opts.liangxinErrorHttpStatus === '200' ? 200 : code;
	ctx.send(status, { code, msg, data });
}

function authorize(ctx: Ctx): boolean {
	if (ctx.bearer() !== KEYS.liangxin) {
		kie(ctx, 401, 'You do not have access permissions');
		return false;
	}
	return true;
}

type Media = { type: 'image' | 'video'; uri: string };

/** input.character / input.reference: a {type, uri} object or a plain URL string. */
function media(v: unknown, key: string, types: Array<'image' | 'video'>): Media | string {
	if (typeof v === 'string' && v) {
		const type = /\.(mp4|mov|webm|m4v)(\?|$)/i.test(v) ? 'video' : 'image';
		if (!types.includes(type)) return 'input.' + key + ' must be a ' + types.join(' or ');
		return { type, uri: v };
	}
	if (isPlainObject(v)) {
		if (typeof v.type !== 'string' || !types.includes(v.type as 'image'))
			return 'input.' + key + '.type must be ' + types.join(' or ');
		if (typeof v.uri !== 'string' || !v.uri) return 'input.' + key + '.uri is required';
		return { type: v.type as 'image' | 'video', uri: v.uri };
	}
	return 'input.' + key + ' is required';
}

function validate(
	b: Record<string, unknown>,
): string | { character: Media; reference: Media; input: Record<string, unknown> } {
	if (typeof b.model !== 'string' || !b.model) return 'model is required';
	if (b.model !== LIANGXIN_MODEL) return 'model ' + b.model + ' is not supported';
	if (b.callBackUrl !== undefined && b.callBackUrl !== null && b.callBackUrl !== '') {
		try {
			const u = new URL(String(b.callBackUrl));
			if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
		} catch {
			return 'callBackUrl must be a valid http(s) URL';
		}
	}
	const input = b.input;
	if (!isPlainObject(input)) return 'input is required';
	const character = media(input.character, 'character', ['image', 'video']);
	if (typeof character === 'string') return character;
	const reference = media(input.reference, 'reference', ['video']);
	if (typeof reference === 'string') return reference;
	if (
		input.ratio !== undefined &&
		!(typeof input.ratio === 'string' && RUNWAY_RATIOS.includes(input.ratio))
	) {
		return 'input.ratio must be one of ' + RUNWAY_RATIOS.join(', ');
	}
	if (input.body_control !== undefined && typeof input.body_control !== 'boolean')
		return 'input.body_control must be a boolean';
	const ei = input.expression_intensity;
	if (ei !== undefined && !(typeof ei === 'number' && Number.isInteger(ei) && ei >= 1 && ei <= 5))
		return 'input.expression_intensity must be an integer from 1 to 5';
	const seed = input.seed;
	if (
		seed !== undefined &&
		!(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 4294967295)
	) {
		return 'input.seed must be an integer from 0 to 4294967295';
	}
	return { character, reference, input };
}

async function createTask(ctx: Ctx): Promise<void> {
	if (!authorize(ctx)) return;
	const b = ctx.json();
	if (!isPlainObject(b)) {
		kie(ctx, 422, b instanceof Error ? 'Invalid JSON body' : 'Request body must be a JSON object');
		return;
	}
	const v = validate(b);
	if (typeof v === 'string') {
		kie(ctx, 422, v);
		return;
	}
	const c = await resolveUri(ctx.sim, v.character.uri, v.character.type, {
		data: false,
		runway: false,
	});
	if (!c.ok) {
		kie(ctx, 422, 'input.character: ' + c.message);
		return;
	}
	const r = await resolveUri(ctx.sim, v.reference.uri, 'video', { data: false, runway: false });
	const durationErr = r.ok ? checkReferenceDuration(r.data, r.contentType) : null;
	if (!r.ok || durationErr) {
		kie(ctx, 422, 'input.reference: ' + (r.ok ? durationErr : r.message));
		return;
	}
	const outcome = ctx.sim.takeOutcome('liangxin');
	if (outcome === 'no_credits') {
		kie(ctx, 402, 'Credits insufficient');
		return;
	}
	const callBackUrl = typeof b.callBackUrl === 'string' && b.callBackUrl ? b.callBackUrl : null;
	const task = ctx.sim.createTask({
		provider: 'liangxin',
		api: 'liangxin',
		id: ctx.sim.newLiangxinTaskId(),
		model: 'act_two',
		outcome,
		input: b,
		callbackUrl: callBackUrl,
		extra: { param: JSON.stringify(b), characterType: v.character.type },
	});
	kie(ctx, 200, 'success', { taskId: task.id });
}

function state(sim: SimState, task: SimTask): string {
	switch (task.phase) {
		case 'queued':
			return Date.now() - task.phaseStartedAt < sim.opts.timing.queuedMs / 2
				? 'waiting'
				: 'queuing';
		case 'throttled':
			return 'queuing';
		case 'running':
			return 'generating';
		case 'succeeded':
			return 'success';
		default:
			return 'fail';
	}
}

/** The recordInfo data object (param and resultJson are JSON strings; times are epoch ms). */
export function recordData(sim: SimState, task: SimTask): Record<string, unknown> {
	const s = state(sim, task);
	let failCode = '';
	let failMsg = '';
	if (s === 'fail') {
		if (task.failure?.kind === 'moderation') {
			failCode = '400';
			failMsg =
				'Your input was flagged by content moderation (SAFETY.INPUT.' +
				((task.extra.characterType as string) === 'video' ? 'VIDEO' : 'IMAGE') +
				'). Please use different inputs.';
		} else if (task.failure?.kind === 'no_face') {
			// Kie's 501 "generation failed", with the cause in failMsg (issue 9 item 7).
			failCode = '501';
			failMsg = 'Generation failed: no face detected in the character image.';
		} else if (task.failure?.kind === 'cancelled') {
			failCode = '499';
			failMsg = 'Task cancelled';
		} else {
			failCode = '500';
			failMsg = 'Internal Error, Please try again later.';
		}
	}
	return {
		taskId: task.id,
		model: LIANGXIN_MODEL,
		state: s,
		param: task.extra.param,
		resultJson: s === 'success' ? JSON.stringify({ resultUrls: [task.outputUrl] }) : '',
		failCode,
		failMsg,
		costTime: task.finishedAt ? task.finishedAt - task.createdAt : null,
		completeTime: task.finishedAt,
		createTime: task.createdAt,
		updateTime: task.updatedAt,
		consumeCredits: s === 'success' ? 25 : 0,
	};
}

function recordInfo(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const id = ctx.query.get('taskId');
	if (!id) {
		kie(ctx, 422, 'taskId is required');
		return;
	}
	const task = ctx.sim.findTask('liangxin', id);
	if (!task) {
		kie(ctx, 404, 'Task not found: ' + id);
		return;
	}
	kie(ctx, 200, 'success', recordData(ctx.sim, task));
}

function credit(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	kie(
		ctx,
		200,
		'success',
		1000 - ctx.sim.taskList.filter((t) => t.provider === 'liangxin').length * 25,
	);
}

export const liangxinRoutes: Route[] = [
	{ method: 'POST', pattern: /^\/api\/v1\/jobs\/createTask\/?$/, handler: createTask },
	{ method: 'GET', pattern: /^\/api\/v1\/jobs\/recordInfo\/?$/, handler: recordInfo },
	{ method: 'GET', pattern: /^\/api\/v1\/chat\/credit\/?$/, handler: credit },
];

/** Kie webhook signature: base64(HMAC-SHA256(taskId + "." + timestamp, key)). */
export function kieSignature(key: string, taskId: string, timestamp: string): string {
	return createHmac('sha256', key)
		.update(taskId + '.' + timestamp)
		.digest('base64');
}

export function registerLiangxin(sim: SimState): void {
	// Callback = the recordInfo envelope, terminal states only, code 200 (success) or 501 (failed).
	sim.onTaskChange('liangxin', (task, event) => {
		if (event !== 'final' || !task.callbackUrl) return;
		const data = recordData(sim, task);
		const ok = data.state === 'success';
		const key = sim.opts.liangxinHmacKey;
		sim.callbacks.send({
			provider: 'liangxin',
			taskId: task.id,
			url: task.callbackUrl,
			event,
			body: { code: ok ? 200 : 501, msg: ok ? 'success' : (data.failMsg as string), data },
			headers: key
				? () => {
						const ts = String(Math.floor(Date.now() / 1000));
						return {
							'x-webhook-timestamp': ts,
							'x-webhook-signature': kieSignature(key, task.id, ts),
						};
					}
				: undefined,
		});
	});
}
