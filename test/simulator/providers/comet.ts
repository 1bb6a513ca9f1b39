import { randomBytes } from 'node:crypto';

import { type Ctx, type Route, isPlainObject } from '../http';
import { resolveUri } from '../media';
import { KEYS, type SimState } from '../state';
import type { FaultRule, SimTask } from '../types';
import {
	checkRunwayMedia,
	runwayFailure,
	runwayTaskJson,
	summarizeUris,
	validateCharacterPerformance,
} from './runway';

function requestId(): string {
	return new Date().toISOString().replace(/\D/g, '').slice(0, 17) + randomBytes(4).toString('hex');
}

/** The CometAPI (new-api) error envelope. */
export function cometError(ctx: Ctx, status: number, message: string, code = ''): void {
	ctx.send(status, {
		error: {
			message: message + ' (request id: ' + requestId() + ')',
			type: 'comet_api_error',
			param: '',
			code,
		},
	});
}

/** new-api accepts "Bearer <key>" and the bare key (CometAPI's own curl sample sends the bare key). */
function authorize(ctx: Ctx): boolean {
	const auth = ctx.header('authorization')?.trim() ?? '';
	const key = auth.replace(/^Bearer\s+/i, '');
	if (key !== KEYS.comet) {
		cometError(ctx, 401, auth ? 'Invalid token' : 'Unauthorized: no token provided', '');
		return false;
	}
	return true;
}

function body(ctx: Ctx): Record<string, unknown> | null {
	const b = ctx.json();
	if (!isPlainObject(b)) {
		cometError(
			ctx,
			400,
			b instanceof Error ? 'Invalid JSON body: ' + b.message : 'Request body must be a JSON object',
			'invalid_request',
		);
		return null;
	}
	return b;
}

function noCredits(ctx: Ctx): void {
	cometError(ctx, 403, 'user quota is not enough', 'insufficient_user_quota');
}

/** The new-api "task not found" answer, also used for the injected task_not_exist fault. */
function taskNotExist(ctx: Ctx): void {
	ctx.send(400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
}

function injectedNotExist(ctx: Ctx, task: SimTask | undefined): boolean {
	const young = (rule: FaultRule) =>
		rule.ms === undefined || rule.ms === null || (!!task && Date.now() - task.createdAt < rule.ms);
	const rule = ctx.sim.faults.take(
		'comet',
		ctx.method,
		ctx.relPath,
		ctx.url.pathname,
		'task_not_exist',
		young,
	);
	if (!rule) return false;
	ctx.record.fault = 'task_not_exist';
	taskNotExist(ctx);
	return true;
}

const sec = (ms: number | null): number => (ms ? Math.floor(ms / 1000) : 0);

function wrapperStatus(task: SimTask): string {
	switch (task.phase) {
		case 'queued':
		case 'throttled':
			return 'QUEUED';
		case 'running':
			return 'IN_PROGRESS';
		case 'succeeded':
			return 'SUCCESS';
		default:
			return 'FAILURE';
	}
}

function failReason(task: SimTask): string {
	if (task.phase === 'cancelled') return 'task cancelled';
	if (task.phase !== 'failed') return '';
	if (task.api === 'comet-act-one') return legacyMessage(task);
	return runwayFailure(task).failure;
}

/** The new-api task wrapper around an inner provider object. */
function wrapped(task: SimTask, action: string, inner: unknown): Record<string, unknown> {
	return {
		code: 'success',
		message: '',
		data: {
			task_id: task.id,
			action,
			status: wrapperStatus(task),
			fail_reason: failReason(task),
			submit_time: sec(task.createdAt),
			start_time: sec(task.startedAt),
			finish_time: sec(task.finishedAt),
			progress: Math.round((task.phase === 'succeeded' ? 1 : task.progress) * 100) + '%',
			data: inner,
		},
	};
}

/** The Runway-native task, restricted to the status enum Comet documents (PENDING|RUNNING|SUCCEEDED|FAILED). */
function cometNative(task: SimTask): Record<string, unknown> {
	const t = runwayTaskJson(task);
	if (t.status === 'THROTTLED') t.status = 'PENDING';
	return t;
}

async function createRunwayFormat(ctx: Ctx): Promise<void> {
	if (!authorize(ctx)) return;
	if (!ctx.header('x-runway-version')) {
		cometError(ctx, 400, 'X-Runway-Version header is required', 'invalid_request');
		return;
	}
	const b = body(ctx);
	if (!b) return;
	const issues = validateCharacterPerformance(b);
	if (issues.length) {
		const i = issues[0];
		cometError(
			ctx,
			400,
			'Invalid request body: ' + (i.path.length ? i.path.join('.') + ': ' : '') + i.message,
			'invalid_request',
		);
		return;
	}
	const ok = await checkRunwayMedia(ctx, b, { data: false, runway: false }, (message) =>
		cometError(ctx, 400, message, 'invalid_request'),
	);
	if (!ok) return;
	const outcome = ctx.sim.takeOutcome('comet');
	if (outcome === 'no_credits') {
		noCredits(ctx);
		return;
	}
	const task = ctx.sim.createTask({
		provider: 'comet',
		api: 'comet-runway',
		model: 'act_two',
		outcome,
		input: summarizeUris(b),
		extra: { characterType: (b.character as { type: string }).type },
	});
	ctx.send(200, { id: task.id });
}

function getRunwayFormat(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = ctx.sim.findTask('comet-runway', decodeURIComponent(m[1]));
	if (injectedNotExist(ctx, task)) return;
	if (!task) {
		taskNotExist(ctx);
		return;
	}
	if (ctx.sim.opts.cometTaskShape === 'native') ctx.send(200, cometNative(task));
	else ctx.send(200, wrapped(task, 'IMAGE_TO_VIDEO', cometNative(task)));
}

function legacyStatus(task: SimTask): string {
	switch (task.phase) {
		case 'queued':
		case 'throttled':
			return '0';
		case 'running':
			return '1';
		case 'succeeded':
			return '3';
		default:
			return '2';
	}
}

function legacyMessage(task: SimTask): string {
	if (task.phase === 'cancelled') return 'Task cancelled';
	if (task.failure?.kind === 'no_face') return 'no face detected';
	return task.failure?.kind === 'moderation'
		? 'The input image or video did not pass content moderation, points refunded'
		: 'Generation failed, please try again later, points refunded';
}

const POINT = '50';

/** The legacy (Duomi/RixAPI-style) Act-One data object; also the callback body. */
export function legacyData(sim: SimState, task: SimTask): Record<string, unknown> {
	const done = task.phase === 'succeeded';
	const failed = task.phase === 'failed' || task.phase === 'cancelled';
	return {
		task_id: task.id,
		status: legacyStatus(task),
		prompt: '',
		prompt_en: '',
		video_url: done ? task.outputUrl : null,
		poster: done ? sim.fileUrl(task.id, 'png') : null,
		last_frame: done ? sim.fileUrl(task.id, 'png') : null,
		msg: failed ? legacyMessage(task) : null,
		point: POINT,
		refund: failed ? POINT : '0',
		create_time: String(sec(task.createdAt)),
		update_time: String(sec(task.updatedAt)),
	};
}

function legacyError(ctx: Ctx, status: number, msg: string): void {
	ctx.send(status, { code: status, msg, data: null, exec_time: 0.01 });
}

async function createActOne(ctx: Ctx): Promise<void> {
	if (!authorize(ctx)) return;
	const started = Date.now();
	const b = body(ctx);
	if (!b) return;
	for (const k of ['video', 'image', 'callback_url']) {
		if (typeof b[k] !== 'string' || !(b[k] as string)) {
			legacyError(ctx, 400, k + ' is required');
			return;
		}
	}
	try {
		const u = new URL(b.callback_url as string);
		if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
	} catch {
		legacyError(ctx, 400, 'callback_url must be a valid URL');
		return;
	}
	const video = await resolveUri(ctx.sim, b.video, 'video', { data: false, runway: false });
	if (!video.ok) {
		legacyError(ctx, 400, 'video: ' + video.message);
		return;
	}
	const image = await resolveUri(ctx.sim, b.image, 'image', { data: false, runway: false });
	if (!image.ok) {
		legacyError(ctx, 400, 'image: ' + image.message);
		return;
	}
	const outcome = ctx.sim.takeOutcome('comet');
	if (outcome === 'no_credits') {
		noCredits(ctx);
		return;
	}
	const task = ctx.sim.createTask({
		provider: 'comet',
		api: 'comet-act-one',
		model: 'act_one',
		outcome,
		input: b,
		callbackUrl: b.callback_url as string,
	});
	ctx.send(200, {
		code: 200,
		msg: 'success',
		data: { task_id: task.id },
		exec_time: (Date.now() - started) / 1000,
	});
}

function feed(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const b = body(ctx);
	if (!b) return;
	if (typeof b.task_id !== 'string' || !b.task_id) {
		legacyError(ctx, 400, 'task_id is required');
		return;
	}
	const task = ctx.sim.findTask('comet-act-one', b.task_id);
	if (injectedNotExist(ctx, task)) return;
	if (!task) {
		taskNotExist(ctx);
		return;
	}
	if (ctx.sim.opts.cometFeedShape === 'wrapped')
		ctx.send(200, wrapped(task, 'act_one', legacyData(ctx.sim, task)));
	else
		ctx.send(200, { code: 200, msg: 'success', data: legacyData(ctx.sim, task), exec_time: 0.02 });
}

function models(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const created = 1752000000;
	ctx.send(200, {
		object: 'list',
		success: true,
		data: ['act_two', 'runway-act-one', 'gen4_turbo', 'gpt-4o-mini'].map((id) => ({
			id,
			object: 'model',
			created,
			owned_by: id.startsWith('gpt') ? 'openai' : 'runway',
		})),
	});
}

function quota(ctx: Ctx): void {
	if (ctx.query.get('key') !== KEYS.comet) {
		cometError(ctx, 401, 'Invalid token', '');
		return;
	}
	const used = ctx.sim.taskList.filter((t) => t.provider === 'comet').length * 0.5;
	ctx.send(200, {
		username: 'sim-comet-user',
		total_quota: 100,
		total_used_quota: used,
		request_count: ctx.sim.requestLog.filter((r) => r.provider === 'comet').length,
		keys: [{ name: 'simulator', remain_quota: 100 - used, used_quota: used }],
	});
}

export const cometRoutes: Route[] = [
	{
		method: 'POST',
		pattern: /^\/runwayml\/v1\/character_performance\/?$/,
		handler: createRunwayFormat,
	},
	{ method: 'GET', pattern: /^\/runwayml\/v1\/tasks\/([^/]+)\/?$/, handler: getRunwayFormat },
	{ method: 'POST', pattern: /^\/runway\/pro\/act_one\/?$/, handler: createActOne },
	{ method: 'POST', pattern: /^\/runway\/feed\/?$/, handler: feed },
	{ method: 'GET', pattern: /^\/v1\/models\/?$/, handler: models },
	{ method: 'GET', pattern: /^\/user\/quota\/?$/, handler: quota },
];

export function registerComet(sim: SimState): void {
	sim.onTaskChange('comet-runway', () => undefined); // the Runway-compatible route has no callback field
	// Act-One: POST of the legacy data object without the code/msg/data wrapper, on terminal states only.
	sim.onTaskChange('comet-act-one', (task, event) => {
		if (event !== 'final' || !task.callbackUrl) return;
		sim.callbacks.send({
			provider: 'comet',
			taskId: task.id,
			url: task.callbackUrl,
			event,
			body: legacyData(sim, task),
		});
	});
}
