 
import { createHash, randomUUID } from 'node:crypto';

import { type Ctx, type Route, isPlainObject } from '../http';
import { checkReferenceDuration, resolveUri } from '../media';
import { multipartBoundary, parseMultipart } from '../multipart';
import { parseMp4 } from '../mp4';
import { contentTypeFor } from '../files';
import { KEYS, type SimState } from '../state';
import type { SimTask } from '../types';

export const RUNWAY_VERSION = '2024-11-06';
export const RUNWAY_RATIOS = [
	'1280:720',
	'720:1280',
	'960:960',
	'1104:832',
	'832:1104',
	'1584:672',
];
const DOC_URL = 'https://docs.dev.runwayml.com/errors/errors/';
const MIN_UPLOAD = 512;
const MAX_UPLOAD = 200 * 1024 * 1024;

export interface Issue {
	code: string;
	path: Array<string | number>;
	message: string;
}

/** Validates a character_performance body as the SDK types describe it (shared with Comet's compatible route). */
export function validateCharacterPerformance(body: unknown): Issue[] {
	if (!isPlainObject(body))
		return [{ code: 'invalid_type', path: [], message: 'Expected an object body' }];
	const issues: Issue[] = [];
	const add = (code: string, path: Array<string | number>, message: string) =>
		issues.push({ code, path, message });
	if (body.model !== 'act_two')
		add('invalid_literal', ['model'], 'Invalid literal value, expected "act_two"');
	const media = (key: 'character' | 'reference', types: string[]) => {
		const v = body[key];
		if (!isPlainObject(v)) {
			add('invalid_type', [key], 'Required: an object { type, uri }');
			return;
		}
		if (typeof v.type !== 'string' || !types.includes(v.type)) {
			add(
				'invalid_union_discriminator',
				[key, 'type'],
				'Invalid discriminator value. Expected ' + types.map((t) => "'" + t + "'").join(' | '),
			);
		}
		if (typeof v.uri !== 'string' || v.uri.length === 0)
			add('invalid_type', [key, 'uri'], 'Required: a string uri');
	};
	media('character', ['image', 'video']);
	media('reference', ['video']);
	if (
		body.ratio !== undefined &&
		(typeof body.ratio !== 'string' || !RUNWAY_RATIOS.includes(body.ratio))
	) {
		add(
			'invalid_enum_value',
			['ratio'],
			'Invalid enum value. Expected ' + RUNWAY_RATIOS.map((r) => "'" + r + "'").join(' | '),
		);
	}
	if (body.bodyControl !== undefined && typeof body.bodyControl !== 'boolean')
		add('invalid_type', ['bodyControl'], 'Expected boolean');
	const ei = body.expressionIntensity;
	if (ei !== undefined && (typeof ei !== 'number' || !Number.isInteger(ei) || ei < 1 || ei > 5)) {
		add(
			typeof ei === 'number'
				? Number.isInteger(ei)
					? ei < 1
						? 'too_small'
						: 'too_big'
					: 'invalid_type'
				: 'invalid_type',
			['expressionIntensity'],
			'expressionIntensity must be an integer between 1 and 5',
		);
	}
	const seed = body.seed;
	if (
		seed !== undefined &&
		(typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 4294967295)
	) {
		add('invalid_type', ['seed'], 'seed must be an integer between 0 and 4294967295');
	}
	const cm = body.contentModeration;
	if (cm !== undefined) {
		if (!isPlainObject(cm)) add('invalid_type', ['contentModeration'], 'Expected an object');
		else if (
			cm.publicFigureThreshold !== undefined &&
			cm.publicFigureThreshold !== 'auto' &&
			cm.publicFigureThreshold !== 'low'
		) {
			add(
				'invalid_enum_value',
				['contentModeration', 'publicFigureThreshold'],
				"Invalid enum value. Expected 'auto' | 'low'",
			);
		}
	}
	return issues;
}

export function runwayValidationBody(issues: Issue[]): Record<string, unknown> {
	const first = issues[0];
	const where = first.path.length ? first.path.join('.') + ': ' : '';
	return { error: 'Invalid request body: ' + where + first.message, issues, docUrl: DOC_URL };
}

/** The Runway task object (the union discriminated on status). */
export function runwayTaskJson(task: SimTask): Record<string, unknown> {
	const base = { id: task.id, createdAt: new Date(task.createdAt).toISOString() };
	switch (task.phase) {
		case 'queued':
			return { ...base, status: 'PENDING' };
		case 'throttled':
			return { ...base, status: 'THROTTLED' };
		case 'running':
			return { ...base, status: 'RUNNING', progress: task.progress };
		case 'succeeded':
			return {
				...base,
				status: 'SUCCEEDED',
				output: [task.outputUrl + '?_jwt=' + signature(task.id)],
			};
		case 'cancelled':
			return { ...base, status: 'CANCELLED' };
		case 'failed':
		default:
			return { ...base, status: 'FAILED', ...runwayFailure(task) };
	}
}

export function runwayFailure(task: SimTask): { failure: string; failureCode: string } {
	if (task.failure?.kind === 'moderation') {
		const media = (task.extra.characterType as string) === 'video' ? 'VIDEO' : 'IMAGE';
		return {
			failure:
				'Your input ' +
				media.toLowerCase() +
				' did not pass our content moderation. Please try a different input.',
			failureCode: 'SAFETY.INPUT.' + media,
		};
	}
	if (task.failure?.kind === 'no_face') {
		return {
			failure:
				'No face was detected in the character input. Please use an input with a clear face.',
			failureCode: 'ASSET.INVALID',
		};
	}
	return {
		failure: 'An unexpected error occurred while generating the output. Please try again.',
		failureCode: 'INTERNAL.BAD_OUTPUT.CODE01',
	};
}

function signature(s: string): string {
	return createHash('sha256')
		.update('sim:' + s)
		.digest('hex')
		.slice(0, 24);
}

function authorize(ctx: Ctx): boolean {
	if (ctx.bearer() !== KEYS.runway) {
		ctx.send(401, {
			error: 'Invalid API key. Provide a valid key in the Authorization header as a Bearer token.',
		});
		return false;
	}
	const version = ctx.header('x-runway-version');
	if (!version) {
		ctx.send(400, {
			error:
				'You must specify an API version in the X-Runway-Version header. The latest version is ' +
				RUNWAY_VERSION +
				'.',
			docUrl: DOC_URL,
		});
		return false;
	}
	if (version !== RUNWAY_VERSION) {
		ctx.send(400, {
			error:
				'Invalid API version "' +
				version +
				'" in the X-Runway-Version header. Supported versions: ' +
				RUNWAY_VERSION +
				'.',
			docUrl: DOC_URL,
		});
		return false;
	}
	return true;
}

function jsonBody(ctx: Ctx): unknown {
	const body = ctx.json();
	if (body instanceof Error) {
		ctx.send(400, { error: 'Invalid JSON body: ' + body.message });
		return null;
	}
	return body;
}

/** Resolves and checks the character and reference of a validated body; answers 400 itself on failure. */
export async function checkRunwayMedia(
	ctx: Ctx,
	body: Record<string, unknown>,
	rules: { data: boolean; runway: boolean },
	fail: (message: string) => void,
): Promise<boolean> {
	const character = body.character as { type: 'image' | 'video'; uri: string };
	const reference = body.reference as { type: 'video'; uri: string };
	const c = await resolveUri(ctx.sim, character.uri, character.type, rules);
	if (!c.ok) {
		fail('character.uri: ' + c.message);
		return false;
	}
	const r = await resolveUri(ctx.sim, reference.uri, 'video', rules);
	if (!r.ok) {
		fail('reference.uri: ' + r.message);
		return false;
	}
	if (r.form === 'data' || r.form === 'runway' || r.form === 'http-loopback') {
		const err = checkReferenceDuration(r.data, r.contentType);
		if (err) {
			fail('reference.uri: ' + err);
			return false;
		}
	}
	return true;
}

async function create(ctx: Ctx): Promise<void> {
	if (!authorize(ctx)) return;
	const body = jsonBody(ctx);
	if (body === null) return;
	const issues = validateCharacterPerformance(body);
	if (issues.length) {
		ctx.send(400, runwayValidationBody(issues));
		return;
	}
	const b = body as Record<string, unknown>;
	const ok = await checkRunwayMedia(ctx, b, { data: true, runway: true }, (message) =>
		ctx.send(400, { error: message, docUrl: 'https://docs.dev.runwayml.com/assets/inputs' }),
	);
	if (!ok) return;
	const outcome = ctx.sim.takeOutcome('runway');
	if (outcome === 'no_credits') {
		ctx.send(400, { error: 'You do not have enough credits to run this task.' });
		return;
	}
	const task = ctx.sim.createTask({
		provider: 'runway',
		api: 'runway',
		model: 'act_two',
		outcome,
		input: summarizeUris(b),
		extra: { characterType: (b.character as { type: string }).type },
	});
	ctx.send(200, { id: task.id });
}

/** The body with long data URIs shortened, for tasks() snapshots. */
export function summarizeUris(body: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = { ...body };
	for (const k of ['character', 'reference']) {
		const v = body[k];
		if (isPlainObject(v) && typeof v.uri === 'string' && v.uri.length > 200) {
			out[k] = { ...v, uri: v.uri.slice(0, 60) + '…(' + v.uri.length + ' chars)' };
		}
	}
	return out;
}

function getTask(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = ctx.sim.findTask('runway', decodeURIComponent(m[1]));
	if (!task) {
		ctx.send(404, { error: 'Task not found' });
		return;
	}
	ctx.send(200, runwayTaskJson(task));
}

function deleteTask(ctx: Ctx, m: RegExpExecArray): void {
	if (!authorize(ctx)) return;
	const task = ctx.sim.findTask('runway', decodeURIComponent(m[1]));
	if (!task) {
		ctx.send(404, { error: 'Task not found' });
		return;
	}
	if (task.phase === 'queued' || task.phase === 'throttled' || task.phase === 'running') {
		ctx.sim.lifecycle.cancel(task); // cancelled: GET answers CANCELLED
	} else {
		task.deleted = true; // deleted: GET answers 404
	}
	ctx.send(204);
}

function createUpload(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const body = jsonBody(ctx);
	if (body === null) return;
	const issues: Issue[] = [];
	if (!isPlainObject(body))
		issues.push({ code: 'invalid_type', path: [], message: 'Expected an object body' });
	else {
		if (typeof body.filename !== 'string' || !body.filename.trim())
			issues.push({
				code: 'invalid_type',
				path: ['filename'],
				message: 'Required: a filename string',
			});
		if (body.type !== 'ephemeral')
			issues.push({
				code: 'invalid_literal',
				path: ['type'],
				message: 'Invalid literal value, expected "ephemeral"',
			});
	}
	if (issues.length) {
		ctx.send(400, runwayValidationBody(issues));
		return;
	}
	const filename = (body as { filename: string }).filename;
	const token = randomUUID();
	const key = 'ephemeral/' + token + '/' + filename;
	const date = new Date()
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z');
	const policy = Buffer.from(
		JSON.stringify({
			expiration: new Date(Date.now() + 3600e3).toISOString(),
			conditions: [{ key }, ['content-length-range', MIN_UPLOAD, MAX_UPLOAD]],
		}),
	).toString('base64');
	const fields: Record<string, string> = {
		key,
		'Content-Type': contentTypeFor(filename),
		'x-amz-algorithm': 'AWS4-HMAC-SHA256',
		'x-amz-credential': 'SIMULATOR/' + date.slice(0, 8) + '/us-east-1/s3/aws4_request',
		'x-amz-date': date,
		policy,
		'x-amz-signature': signature(policy),
	};
	const runwayUri = 'runway://ephemeral/' + token;
	ctx.sim.runwayUploads.set(token, {
		token,
		runwayUri,
		filename,
		fields,
		file: null,
		createdAt: Date.now(),
	});
	ctx.send(200, { uploadUrl: ctx.sim.url + '/runway-storage/' + token, fields, runwayUri });
}

function s3Error(ctx: Ctx, status: number, code: string, message: string): void {
	ctx.sendRaw(
		status,
		'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' +
			code +
			'</Code><Message>' +
			message +
			'</Message></Error>',
		{ 'content-type': 'application/xml' },
	);
}

/** The presigned multipart POST (S3-style): no Runway auth, every issued field must come back unchanged. */
export function storageUpload(ctx: Ctx, token: string): void {
	const upload = ctx.sim.runwayUploads.get(token);
	if (!upload) {
		s3Error(ctx, 403, 'AccessDenied', 'Invalid according to Policy: unknown upload');
		return;
	}
	const boundary = multipartBoundary(ctx.header('content-type'));
	if (!boundary) {
		s3Error(
			ctx,
			412,
			'PreconditionFailed',
			'Bucket POST must be of the enclosure-type multipart/form-data',
		);
		return;
	}
	let parts;
	try {
		parts = parseMultipart(ctx.body, boundary);
	} catch (error) {
		s3Error(ctx, 400, 'MalformedPOSTRequest', (error as Error).message);
		return;
	}
	for (const [name, value] of Object.entries(upload.fields)) {
		const part = parts.find((p) => p.name === name && p.filename === null);
		if (!part || part.data.toString('utf8') !== value) {
			s3Error(
				ctx,
				403,
				'AccessDenied',
				'Invalid according to Policy: Policy Condition failed: ' + name,
			);
			return;
		}
	}
	const fileIndex = parts.findIndex((p) => p.name === 'file');
	if (fileIndex < 0) {
		s3Error(ctx, 400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
		return;
	}
	if (parts.slice(fileIndex + 1).length) {
		// S3 ignores fields after the file; Runway's SDK sends the file last.
	}
	const file = parts[fileIndex];
	if (file.data.length < MIN_UPLOAD) {
		s3Error(
			ctx,
			400,
			'EntityTooSmall',
			'Your proposed upload is smaller than the minimum allowed size',
		);
		return;
	}
	if (file.data.length > MAX_UPLOAD) {
		s3Error(ctx, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
		return;
	}
	const contentType =
		upload.fields['Content-Type'] !== 'application/octet-stream'
			? upload.fields['Content-Type']
			: (file.contentType ?? 'application/octet-stream');
	upload.file = {
		id: token,
		name: upload.filename,
		contentType,
		data: Buffer.from(file.data),
		duration: parseMp4(file.data)?.durationSeconds ?? null,
		createdAt: Date.now(),
	};
	ctx.send(204);
}

function organization(ctx: Ctx): void {
	if (!authorize(ctx)) return;
	const since = Date.now() - 24 * 3600 * 1000;
	const daily = ctx.sim.taskList.filter((t) => t.api === 'runway' && t.createdAt >= since).length;
	ctx.send(200, {
		creditBalance: 10000,
		tier: {
			maxMonthlyCreditSpend: 100000,
			models: {
				act_two: {
					maxConcurrentGenerations: Number.isFinite(ctx.sim.opts.runwayConcurrency)
						? ctx.sim.opts.runwayConcurrency
						: 20,
					maxDailyGenerations: 200,
				},
			},
		},
		usage: { models: { act_two: { dailyGenerations: daily } } },
	});
}

export const runwayRoutes: Route[] = [
	{ method: 'POST', pattern: /^\/v1\/character_performance\/?$/, handler: create },
	{ method: 'GET', pattern: /^\/v1\/tasks\/([^/]+)\/?$/, handler: getTask },
	{ method: 'DELETE', pattern: /^\/v1\/tasks\/([^/]+)\/?$/, handler: deleteTask },
	{ method: 'POST', pattern: /^\/v1\/uploads\/?$/, handler: createUpload },
	{ method: 'GET', pattern: /^\/v1\/organization\/?$/, handler: organization },
];

export function runwayNotFound(ctx: Ctx, methodAllowed: boolean): void {
	if (methodAllowed) ctx.send(405, { error: 'Method not allowed' });
	else ctx.send(404, { error: 'Not found' });
}

export function registerRunway(sim: SimState): void {
	// Runway has no completion callbacks (providers.md 1.6): nothing to notify.
	sim.onTaskChange('runway', () => undefined);
}
