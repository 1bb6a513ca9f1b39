import { randomUUID } from 'node:crypto';

import { type Ctx, type Route, isPlainObject } from '../http';
import { durationError } from '../media';
import { multipartBoundary, parseMultipart } from '../multipart';
import { parseMp4 } from '../mp4';
import { KEYS, type SimState, type StoredFile } from '../state';
import type { SimTask } from '../types';
import { isTerminal } from '../lifecycle';

/** The one linked Runway account of the simulated useapi.net user. */
export const USEAPI_EMAIL = 'sim-runway@example.com';
const UID = KEYS.useapi.split('-')[0]; // 'user:4242'
const PREFIX = UID + '-runwayml:' + USEAPI_EMAIL;

/** POST /assets Content-Type whitelist (providers.md 2.4). */
const CONTENT_TYPES: Record<string, 'image' | 'video' | 'audio'> = {};
for (const t of ['image/png', 'image/jpeg', 'image/gif']) CONTENT_TYPES[t] = 'image';
for (const t of [
	'mp4',
	'quicktime',
	'3gpp',
	'x-matroska',
	'x-flv',
	'mpeg',
	'mp2t',
	'x-msvideo',
	'x-motion-jpeg',
	'webm',
	'ogg',
]) {
	CONTENT_TYPES['video/' + t] = 'video';
}
for (const t of ['wav', 'wave', 'mpeg', 'flac', 'ogg', 'webm'])
	CONTENT_TYPES['audio/' + t] = 'audio';

const ASPECTS: Record<string, [number, number]> = {
	'16:9': [1280, 720],
	'9:16': [720, 1280],
	'1:1': [960, 960],
	'4:3': [1104, 832],
	'3:4': [832, 1104],
	'21:9': [1584, 672],
};

type Asset = StoredFile & { assetId: string; mediaType: 'image' | 'video' | 'audio' };

function err(ctx: Ctx, code: number, error: string, extra: Record<string, unknown> = {}): void {
	ctx.send(code, { error, ...extra, code });
}

function authorize(ctx: Ctx): boolean {
	if (ctx.bearer() !== KEYS.useapi) {
		err(ctx, 401, 'Unauthorized');
		return false;
	}
	return true;
}

function uuidOf(id: string): string {
	const m = /-(?:asset|task):([0-9a-f-]+)$/i.exec(id);
	return m ? m[1] : id;
}

function assetJson(sim: SimState, a: Asset): Record<string, unknown> {
	return {
		assetId: a.assetId,
		id: a.id,
		name: a.name,
		type: { name: a.mediaType, type: a.mediaType },
		mediaType: a.mediaType,
		size: a.data.length,
		url: sim.url + '/files/asset/' + a.id,
		previewUrls: a.mediaType === 'image' ? [sim.url + '/files/asset/' + a.id] : [],
		createdAt: new Date(a.createdAt).toISOString(),
		metadata: a.duration !== null ? { duration: a.duration, frameRate: 24 } : {},
		email: USEAPI_EMAIL,
	};
}

function uploadAsset(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const name = ctx.query.get('name');
	if (!name) {
		err(ctx, 400, 'Required parameter name is missing');
		return;
	}
	const email = ctx.query.get('email');
	if (email && email !== USEAPI_EMAIL) {
		err(ctx, 404, 'Account ' + email + ' not found');
		return;
	}
	const contentType = (ctx.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
	const mediaType = CONTENT_TYPES[contentType];
	if (!mediaType) {
		err(
			ctx,
			400,
			'Unsupported Content-Type ' +
				(contentType || '(none)') +
				'. Supported: ' +
				Object.keys(CONTENT_TYPES).join(', '),
		);
		return;
	}
	if (ctx.body.length === 0) {
		err(ctx, 400, 'Request body is empty: send the file as raw binary');
		return;
	}
	const mp4 = mediaType === 'video' ? parseMp4(ctx.body) : null;
	const qd = Number(ctx.query.get('duration'));
	const id = randomUUID();
	const asset: Asset = {
		id,
		assetId: PREFIX + '-asset:' + id,
		name,
		contentType,
		mediaType,
		data: Buffer.from(ctx.body),
		duration: mp4
			? Math.round(mp4.durationSeconds * 1000) / 1000
			: Number.isFinite(qd) && qd > 0
				? qd
				: null,
		createdAt: Date.now(),
	};
	ctx.sim.useapiAssets.set(asset.assetId, asset);
	ctx.send(200, assetJson(ctx.sim, asset));
}

function getAsset(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const id = decodeURIComponent(m[1]);
	const asset = ctx.sim.useapiAssets.get(id) as Asset | undefined;
	if (!asset) {
		err(ctx, 404, 'Unable to retrieve assetId ' + uuidOf(id) + ' (Not found.)');
		return;
	}
	ctx.send(200, assetJson(ctx.sim, asset));
}

/** The JSON body, or the multipart/form-data fields with their string values coerced. */
function readCreateBody(ctx: Ctx): Record<string, unknown> | string {
	const boundary = multipartBoundary(ctx.header('content-type'));
	if (boundary) {
		try {
			const out: Record<string, unknown> = {};
			for (const p of parseMultipart(ctx.body, boundary)) {
				const v = p.data.toString('utf8');
				out[p.name] =
					v === 'true'
						? true
						: v === 'false'
							? false
							: /^-?\d+$/.test(v) && !p.name.endsWith('Id') && p.name !== 'replyRef'
								? Number(v)
								: v;
			}
			return out;
		} catch (error) {
			return 'Invalid multipart body: ' + (error as Error).message;
		}
	}
	const body = ctx.json();
	if (body instanceof Error) return 'Invalid JSON body: ' + body.message;
	if (!isPlainObject(body)) return 'Request body must be a JSON object';
	return body;
}

function intIn(v: unknown, min: number, max: number): boolean {
	return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function validate(b: Record<string, unknown>): string | null {
	for (const k of ['driving_assetId', 'character_assetId']) {
		if (typeof b[k] !== 'string' || !(b[k] as string)) return 'Parameter ' + k + ' is required';
	}
	if (
		b.aspect_ratio !== undefined &&
		!(typeof b.aspect_ratio === 'string' && b.aspect_ratio in ASPECTS)
	) {
		return (
			'Parameter aspect_ratio (' +
			String(b.aspect_ratio) +
			') must be one of ' +
			Object.keys(ASPECTS).join(', ')
		);
	}
	for (const k of ['body_control', 'exploreMode']) {
		if (b[k] !== undefined && typeof b[k] !== 'boolean')
			return 'Parameter ' + k + ' must be true or false';
	}
	if (b.expression_intensity !== undefined && !intIn(b.expression_intensity, 1, 5))
		return (
			'Parameter expression_intensity (' + String(b.expression_intensity) + ') valid range is 1…5'
		);
	if (b.seed !== undefined && !intIn(b.seed, 1, 2147483647))
		return 'Parameter seed (' + String(b.seed) + ') valid range is 1…2147483647';
	if (b.maxJobs !== undefined && !intIn(b.maxJobs, 1, 10))
		return 'Parameter maxJobs (' + String(b.maxJobs) + ') valid range is 1…10';
	if (b.replyUrl !== undefined) {
		if (typeof b.replyUrl !== 'string' || b.replyUrl.length > 1024)
			return 'Parameter replyUrl must be a string of at most 1024 characters';
		try {
			const u = new URL(b.replyUrl);
			if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
		} catch {
			return 'Parameter replyUrl must be a valid URL';
		}
	}
	if (b.replyRef !== undefined && (typeof b.replyRef !== 'string' || b.replyRef.length > 1024))
		return 'Parameter replyRef must be a string of at most 1024 characters';
	if (b.email !== undefined && b.email !== USEAPI_EMAIL)
		return 'Account ' + String(b.email) + ' not found';
	return null;
}

function runningTasks(sim: SimState): SimTask[] {
	return sim.taskList.filter((t) => t.api === 'useapi' && !t.deleted && !isTerminal(t.phase));
}

async function createActTwo(ctx: Ctx): Promise<void> {
	if (!authorize(ctx)) return;
	const b = readCreateBody(ctx);
	if (typeof b === 'string') {
		err(ctx, 400, b);
		return;
	}
	const invalid = validate(b);
	if (invalid) {
		err(ctx, invalid.endsWith('not found') ? 404 : 400, invalid);
		return;
	}
	const assets = ctx.sim.useapiAssets as Map<string, Asset>;
	const driving = assets.get(b.driving_assetId as string);
	const character = assets.get(b.character_assetId as string);
	for (const [key, a] of [
		['driving_assetId', driving],
		['character_assetId', character],
	] as const) {
		if (!a) {
			err(ctx, 404, 'Unable to retrieve assetId ' + uuidOf(b[key] as string) + ' (Not found.)');
			return;
		}
	}
	if (driving!.mediaType !== 'video') {
		err(ctx, 400, 'driving_assetId must be a video asset');
		return;
	}
	if (character!.mediaType === 'audio') {
		err(ctx, 400, 'character_assetId must be an image or video asset');
		return;
	}
	if (driving!.duration !== null) {
		const d = durationError(driving!.duration);
		if (d) {
			err(ctx, 400, 'driving_assetId: ' + d);
			return;
		}
	}
	const maxJobs = (b.maxJobs as number | undefined) ?? ctx.sim.opts.useapiMaxJobs;
	const running = runningTasks(ctx.sim);
	if (running.length >= maxJobs) {
		ctx.send(429, {
			error: 'Account ' + USEAPI_EMAIL + ' is busy executing ' + maxJobs + ' tasks',
			runningTasks: {
				[USEAPI_EMAIL]: running.map((t) => ({
					email: USEAPI_EMAIL,
					taskId: t.id,
					id: t.extra.uuid,
					...(t.callbackUrl ? { replyUrl: t.callbackUrl } : {}),
					...(t.replyRef !== null ? { replyRef: t.replyRef } : {}),
				})),
			},
			code: 429,
		});
		return;
	}
	const outcome = ctx.sim.takeOutcome('useapi');
	if (outcome === 'no_credits') {
		ctx.send(412, { error: 'You do not have enough credits to run this task.' });
		return;
	}
	const uuid = randomUUID();
	const aspect = (b.aspect_ratio as string | undefined) ?? '16:9';
	const [width, height] = ASPECTS[aspect];
	const name = 'Act-Two ' + driving!.name + '_' + character!.name;
	const options = {
		name,
		driving_video: ctx.sim.url + '/files/asset/' + driving!.id,
		...(character!.mediaType === 'image'
			? { character_image: ctx.sim.url + '/files/asset/' + character!.id }
			: { character_video: ctx.sim.url + '/files/asset/' + character!.id }),
		seconds: Math.max(1, Math.round(driving!.duration ?? 5)),
		exploreMode: b.exploreMode === true,
		height,
		width,
		seed: (b.seed as number | undefined) ?? Math.floor(Math.random() * 2147483646) + 1,
		watermark: false,
		body_control: b.body_control !== false,
		expression_intensity: (b.expression_intensity as number | undefined) ?? 3,
		assetGroupId: randomUUID(),
		recordingEnabled: true,
	};
	const task = ctx.sim.createTask({
		provider: 'useapi',
		api: 'useapi',
		id: PREFIX + '-task:' + uuid,
		model: 'act_two',
		outcome,
		input: b,
		callbackUrl: (b.replyUrl as string | undefined) ?? null,
		replyRef: (b.replyRef as string | undefined) ?? null,
		extra: { uuid, name, options, width, height },
	});
	ctx.send(200, { task: { ...useapiTaskJson(ctx.sim, task), code: 200 } });
}

const STATUS: Record<SimTask['phase'], string> = {
	queued: 'PENDING',
	throttled: 'THROTTLED',
	running: 'RUNNING',
	succeeded: 'SUCCEEDED',
	failed: 'FAILED',
	cancelled: 'CANCELLED',
};

/** The section 2.3 task object. */
export function useapiTaskJson(sim: SimState, task: SimTask): Record<string, unknown> {
	const x = task.extra as {
		uuid: string;
		name: string;
		options: Record<string, unknown>;
		width: number;
		height: number;
	};
	let error: unknown = null;
	if (task.phase === 'failed') {
		error =
			task.failure?.kind === 'moderation'
				? {
						errorMessage:
							'Your input did not pass our content moderation. Please try again with a different image or video.',
						reason: 'SAFETY.INPUT.IMAGE',
						message: 'Task failed content moderation',
						moderation_category: 'PUBLIC_FIGURE',
						tally_asimov: true,
					}
				: task.failure?.kind === 'no_face'
					? {
							errorMessage: 'No face was detected in the character input.',
							reason: 'ASSET.INVALID',
							message: 'Task failed',
							moderation_category: null,
							tally_asimov: false,
						}
					: {
							errorMessage: 'An unexpected error occurred while generating the video.',
							reason: 'INTERNAL.BAD_OUTPUT.CODE01',
							message: 'Task failed',
							moderation_category: null,
							tally_asimov: false,
						};
	} else if (task.phase === 'cancelled') {
		error = {
			errorMessage: 'Task cancelled',
			reason: 'CANCELLED',
			message: 'Task cancelled',
			moderation_category: null,
			tally_asimov: false,
		};
	}
	const artifacts =
		task.phase === 'succeeded'
			? [
					{
						assetId: PREFIX + '-asset:' + x.uuid.split('').reverse().join(''),
						url: task.outputUrl,
						previewUrls: [sim.fileUrl(task.id, 'png')],
						fileSize: String(sim.outputSize()),
						metadata: { frameRate: 24, duration: 5, dimensions: [x.width, x.height] },
					},
				]
			: [];
	return {
		taskId: task.id,
		id: x.uuid,
		name: x.name,
		image: null,
		createdAt: new Date(task.createdAt).toISOString(),
		updatedAt: new Date(task.updatedAt).toISOString(),
		taskType: 'act_two',
		options: x.options,
		status: STATUS[task.phase],
		error,
		progressText: null,
		progressRatio: task.phase === 'succeeded' ? '1' : String(task.progress),
		estimatedTimeToStartSeconds:
			task.phase === 'queued' ? Math.ceil(sim.opts.timing.queuedMs / 1000) : null,
		artifacts,
		sharedAsset: null,
		sourceAssetId: null,
		...(task.replyRef !== null ? { replyRef: task.replyRef } : {}),
	};
}

function findTask(ctx: Ctx, raw: string): SimTask | undefined {
	const task = ctx.sim.findTask('useapi', decodeURIComponent(raw));
	if (!task) err(ctx, 404, 'Not found.');
	return task;
}

function getTask(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = findTask(ctx, m[1]);
	if (task) ctx.send(200, useapiTaskJson(ctx.sim, task));
}

function deleteTask(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = findTask(ctx, m[1]);
	if (!task) return;
	ctx.sim.lifecycle.cancel(task);
	task.deleted = true;
	ctx.send(204);
}

function deleteScheduled(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = ctx.sim.findTask('useapi', decodeURIComponent(m[1]));
	if (!task || isTerminal(task.phase)) {
		err(ctx, 404, 'Task ' + decodeURIComponent(m[1]) + ' not found in scheduler');
		return;
	}
	ctx.sim.lifecycle.cancel(task);
	ctx.send(204);
}

function listScheduler(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	ctx.send(
		200,
		runningTasks(ctx.sim).map((t) => ({
			taskId: t.id,
			...(t.callbackUrl ? { replyUrl: t.callbackUrl } : {}),
			...(t.replyRef !== null ? { replyRef: t.replyRef } : {}),
		})),
	);
}

function accounts(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	ctx.send(200, {
		[USEAPI_EMAIL]: {
			email: USEAPI_EMAIL,
			maxJobs: ctx.sim.opts.useapiMaxJobs,
			created: '2025-07-01T00:00:00.000Z',
		},
	});
}

export const useapiRoutes: Route[] = [
	{ method: 'POST', pattern: /^\/assets\/?$/, handler: uploadAsset },
	{ method: 'GET', pattern: /^\/assets\/([^/]+)\/?$/, handler: getAsset },
	{ method: 'POST', pattern: /^\/gen4\/act-two\/?$/, handler: createActTwo },
	{ method: 'GET', pattern: /^\/tasks\/([^/]+)\/?$/, handler: getTask },
	{ method: 'DELETE', pattern: /^\/tasks\/([^/]+)\/?$/, handler: deleteTask },
	{ method: 'GET', pattern: /^\/scheduler\/?$/, handler: listScheduler },
	{ method: 'DELETE', pattern: /^\/scheduler\/([^/]+)\/?$/, handler: deleteScheduled },
	{ method: 'GET', pattern: /^\/accounts\/?$/, handler: accounts },
];

export function registerUseapi(sim: SimState): void {
	// "the API will call the provided replyUrl with task progress updates until the task is complete or fails"
	sim.onTaskChange('useapi', (task, event) => {
		if (!task.callbackUrl || task.deleted) return;
		sim.callbacks.send({
			provider: 'useapi',
			taskId: task.id,
			url: task.callbackUrl,
			event,
			body: { ...useapiTaskJson(sim, task), replyRef: task.replyRef },
		});
	});
}
