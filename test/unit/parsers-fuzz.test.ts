/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Seeded fuzz suite for every provider parser: status answers (through each adapter's get(), as the transport
 * hands them over), create answers and callback bodies, every provider and both CometAPI shapes. Valid
 * bodies from providers.md and the simulator are mutated (fields dropped, types swapped, objects with
 * toString/valueOf, huge/negative/NaN-like numbers, nanosecond times, arrays for scalars, __proto__ /
 * constructor keys, deep nesting, long strings) and each result is checked:
 * - only a typed ProviderError may be thrown (parseCallback throws nothing: null means "not a callback");
 * - a returned task is well formed: every field of its type, ISO times valid, no "[object Object]";
 * - a status read keeps the asked id (issue 9 item 5);
 * - no false success or failure: the oracle below reads the documented status fields itself, scalars only.
 * FUZZ_SEED=<n> replays another seed; a failure names the seed and the body.
 */
import { ProviderError, classifyHttp } from '../../nodes/ActTwo/core/errors';
import { aimlAdapter } from '../../nodes/ActTwo/providers/aiml/adapter';
import { cometAdapter } from '../../nodes/ActTwo/providers/comet/adapter';
import { liangxinAdapter } from '../../nodes/ActTwo/providers/liangxin/adapter';
import { muapiAdapter } from '../../nodes/ActTwo/providers/muapi/adapter';
import { runwayAdapter } from '../../nodes/ActTwo/providers/runway/adapter';
import { useapiAdapter } from '../../nodes/ActTwo/providers/useapi/adapter';
import { ADAPTERS } from '../../nodes/ActTwo/providers';
import type {
	ApiClient,
	ApiRequest,
	CreateInput,
	ModelId,
	NormalizedTask,
	ProviderAdapter,
	ProviderId,
} from '../../nodes/ActTwo/core/types';
import { rng } from '../support/rng';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const PER_PROVIDER = 12_000;

type Rng = ReturnType<typeof rng>;

// ---- valid bodies (providers.md §1.3, §2.3/2.5, §3.1/3.2, §4.1/4.2; the simulator's shapes) ----

const RW_ID = '2d6f6b0e-7e3c-4b8a-9b6a-0c5f3f1e9a11';
const UA_ID = 'user:4242-runwayml:sim@example.com-task:3f1c2a44-1111-4e0b-9b7a-1d2e3f4a5b6c';
const CM_ID = 'b3f0c1d2-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const CM1_ID = 'c7a1e2b3-0000-4d5e-9f60-123456789abc';
const LX_ID = 'task_runway_1765432100000_ab12cd';
const URL = 'https://cdn.example.com/out/v.mp4';

const runwayTask = (status: string, extra: object = {}) => ({
	id: RW_ID,
	status,
	createdAt: '2024-11-30T07:06:07.912Z',
	...extra,
});
const RUNWAY_STATUS = [
	runwayTask('PENDING'),
	runwayTask('THROTTLED', { estimatedCost: { credits: 25 } }),
	runwayTask('RUNNING', { progress: 0.42, estimatedCost: { credits: 25 } }),
	runwayTask('SUCCEEDED', { output: [URL], cost: { credits: 25 } }),
	runwayTask('FAILED', {
		failure: 'Input image flagged',
		failureCode: 'SAFETY.INPUT.IMAGE',
		cost: { credits: 0 },
	}),
	runwayTask('CANCELLED', { cost: { credits: 0 } }),
];

const useapiTask = (status: string, extra: object = {}) => ({
	taskId: UA_ID,
	id: '6a0f8b52-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
	name: 'act-two',
	createdAt: '2025-06-01T10:00:00.000Z',
	updatedAt: '2025-06-01T10:01:00.000Z',
	taskType: 'act_two',
	options: { seed: 4 },
	status,
	error: null,
	progressText: null,
	progressRatio: status === 'SUCCEEDED' ? '1' : '0.5',
	estimatedTimeToStartSeconds: null,
	artifacts:
		status === 'SUCCEEDED'
			? [{ assetId: 'user:4242-asset:1', url: URL, previewUrls: [URL], fileSize: '12345678' }]
			: [],
	...extra,
});
const USEAPI_STATUS = [
	useapiTask('PENDING'),
	useapiTask('RUNNING'),
	useapiTask('SUCCEEDED', { cost: { credits: 25 } }),
	useapiTask('FAILED', { error: { reason: 'SAFETY.INPUT.VIDEO', errorMessage: 'moderated' } }),
	useapiTask('FAILED', { error: 'Task failed' }),
	useapiTask('CANCELLED'),
];
const USEAPI_CALLBACK = USEAPI_STATUS.map((t) => ({ ...t, replyRef: 'ref-1' }));
const USEAPI_CREATE = [{ task: useapiTask('PENDING'), replyRef: 'ref-1' }, useapiTask('PENDING')];

const gateway = (id: string, status: string, extra: object = {}, inner: object = {}) => ({
	code: 'success',
	message: '',
	data: {
		task_id: id,
		action: 'IMAGE_TO_VIDEO',
		status,
		fail_reason: status === 'FAILURE' ? 'no face detected' : '',
		submit_time: 1773366766,
		start_time: 1773366770,
		finish_time: status === 'SUCCESS' || status === 'FAILURE' ? 1773366800 : 0,
		progress: status === 'SUCCESS' ? '100%' : '40%',
		data: {
			id: 'upstream-' + id,
			status: 'RUNNING',
			createdAt: '2026-03-13T01:52:46.000Z',
			...inner,
		},
		...extra,
	},
});
const legacyData = (status: string, extra: object = {}) => ({
	task_id: CM1_ID,
	status,
	prompt: '',
	prompt_en: '',
	video_url: status === '3' ? URL : null,
	poster: null,
	last_frame: null,
	msg: status === '2' ? 'Generation failed, points refunded' : null,
	point: '320',
	refund: status === '2' ? '320' : '0',
	create_time: '1728622596',
	update_time: '1728622955',
	...extra,
});
const COMET_NATIVE = RUNWAY_STATUS.map((t) => ({ ...t, id: CM_ID }));
const COMET_GATEWAY = [
	'NOT_START',
	'SUBMITTED',
	'QUEUED',
	'IN_PROGRESS',
	'SUCCESS',
	'FAILURE',
	'UNKNOWN',
].map((s) => gateway(CM_ID, s, {}, s === 'SUCCESS' ? { status: 'SUCCEEDED', output: [URL] } : {}));
const COMET_FEED_LEGACY = ['0', '1', '2', '3'].map((s) => ({
	code: 200,
	msg: 'success',
	data: legacyData(s),
	exec_time: 0.02,
}));
const COMET_FEED_GATEWAY = ['QUEUED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE'].map((s) =>
	gateway(CM1_ID, s, s === 'SUCCESS' ? { video_url: URL } : {}),
);
const COMET_CALLBACK = [
	...['0', '1', '2', '3'].map((s) => legacyData(s)),
	legacyData('3', { state: 'succeeded', raw_video_url: URL }),
	...COMET_FEED_GATEWAY,
];
const COMET_CREATE = [{ id: CM_ID }];
const COMET_CREATE_ONE = [
	{ code: 200, message: '', msg: 'success', data: { task_id: CM1_ID } },
	{ code: 200, msg: 'success', data: { task_id: CM1_ID }, exec_time: 0.01 },
];

const record = (state: string, code = 200, extra: object = {}) => ({
	code,
	msg: 'success',
	data: {
		taskId: LX_ID,
		model: 'runway-act-two',
		state,
		param: '{"model":"runway-act-two","input":{}}',
		resultJson: state === 'success' ? JSON.stringify({ resultUrls: [URL] }) : '',
		failCode: state === 'fail' ? '400' : '',
		failMsg: state === 'fail' ? 'Sensitive content detected' : '',
		costTime: 30,
		consumeCredits: 10,
		completeTime: state === 'success' || state === 'fail' ? 1765432130000 : null,
		createTime: 1765432100000,
		updateTime: 1765432130000,
		...extra,
	},
});
const LIANGXIN_STATUS = ['waiting', 'queuing', 'generating', 'success', 'fail'].map((s) =>
	record(s),
);
const LIANGXIN_CALLBACK = [record('success'), record('fail', 501), record('fail', 200)];
const LIANGXIN_CREATE = [{ code: 200, msg: 'success', data: { taskId: LX_ID } }];

// AIML API (providers.md 7 A.2/A.3): the generation object, its four video and three error shapes.
const AI_ID = 'dbf7a50e-87b2-4ba5-921f-f02fdb8f7cc6';
const generation = (status: string, extra: object = {}) => ({
	id: AI_ID,
	status,
	video: null,
	error: null,
	...extra,
});
const AIML_STATUS = [
	generation('queued'),
	generation('waiting'),
	generation('generating'),
	generation('active'),
	generation('completed', { video: [URL] }),
	generation('completed', { video: { url: URL }, meta: { usage: { credits_used: 120000 } } }),
	generation('completed', { video: [{ url: URL }] }),
	generation('succeeded', { video: URL }),
	generation('error', { error: { name: 'SAFETY.INPUT.IMAGE', message: 'Input image flagged' } }),
	generation('error', { error: 'An unexpected error occurred. Please try again.' }),
	generation('error', {
		error: {
			detail: [
				{
					loc: ['body', 'image_url'],
					msg: 'Could not detect face in the image',
					type: 'face_detection_error',
				},
			],
		},
	}),
	generation('failed', { error: null }),
];
const AIML_CREATE = [{ id: AI_ID, status: 'queued' }, generation('queued')];
const MU_ID = 'abc123xyz';
const muapiCost = (refunded = false) => ({
	amount_usd: 0.07,
	amount_credits: 7,
	bonus_credits_used: 0,
	refunded,
});
/** A prediction as the result endpoint and the webhook doc show it (providers.md 7 B.5/B.6). */
const prediction = (status: string, extra: object = {}) => ({
	id: MU_ID,
	status,
	outputs: status === 'completed' ? [URL] : [],
	urls: { get: `https://api.muapi.ai/api/v1/predictions/${MU_ID}/result` },
	has_nsfw_contents: status === 'completed' ? [false] : [],
	created_at: '2026-12-01T05:00:00.000Z',
	error: status === 'failed' ? 'No face detected in the character input' : null,
	executionTime: 31.2,
	timings: { inference: 29.9 },
	cost: muapiCost(status === 'failed'),
	...extra,
});
const MUAPI_STATUS = [
	...['queued', 'pending', 'processing', 'completed', 'failed', 'cancelled'].map((s) =>
		prediction(s),
	),
	prediction('completed', { outputs: [{ url: URL }] }),
	{ detail: prediction('completed') },
];
/** A failed prediction's result, answered with HTTP 400: plain, wrapped in detail, or FastAPI's bare detail. */
const MUAPI_FAILED_400 = [
	prediction('failed'),
	{ detail: prediction('failed') },
	{ detail: 'Prediction failed' },
	{ id: MU_ID, status: 'failed', error: { message: 'Generation failed' } },
];
const MUAPI_CALLBACK = [prediction('completed'), prediction('failed', { outputs: undefined })];
const MUAPI_CREATE = [
	{ request_id: MU_ID, status: 'processing', cost: muapiCost() },
	{ request_id: MU_ID },
	{ id: MU_ID },
];

// ---- hostile values ----

const LONG = 'x'.repeat(200_000);
function deep(depth: number): unknown {
	let v: unknown = { status: 'SUCCEEDED' };
	for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
	return v;
}
const WORDS = [
	'SUCCEEDED',
	'succeeded',
	'Succeeded',
	'SUCCESS',
	'success',
	'FAILED',
	'failed',
	'FAILURE',
	'failure',
	'fail',
	'CANCELLED',
	'cancelled',
	'RUNNING',
	'PENDING',
	'THROTTLED',
	'QUEUED',
	'IN_PROGRESS',
	'NOT_START',
	'UNKNOWN',
	'waiting',
	'queuing',
	'generating',
	'processing',
	'completed',
	'error',
	'active',
	'0',
	'1',
	'2',
	'3',
	' SUCCEEDED',
	'SUCCEEDED\u0000',
	'constructor',
	'__proto__',
	'toString',
	'valueOf',
	'hasOwnProperty',
	'CONSTRUCTOR',
	'__PROTO__',
];
const throwingToString = () => ({
	toString() {
		throw new Error('the parser called toString on outside data');
	},
	valueOf() {
		throw new Error('the parser called valueOf on outside data');
	},
});
const HOSTILE: Array<() => unknown> = [
	() => ({ toString: 1 }),
	() => ({ toString: 1, valueOf: 1 }),
	throwingToString,
	() => Object.create(null),
	() => ({ [Symbol.toPrimitive]: 1 }),
	() => [],
	() => ({}),
	() => ['SUCCEEDED'],
	() => ['success'],
	() => ['3'],
	() => [501],
	() => [[['FAILED']]],
	() => ({ SUCCEEDED: true, status: 'SUCCEEDED' }),
	() => JSON.parse('{"__proto__":{"status":"SUCCEEDED","state":"success"}}'),
	() => deep(1000),
	() => '',
	() => ' ',
	() => LONG,
	() => 0,
	() => -0,
	() => -1,
	() => 1,
	() => 1e308,
	() => -1e308,
	() => 5e-324,
	() => Number.MAX_SAFE_INTEGER,
	() => 2 ** 64,
	() => NaN,
	() => Infinity,
	() => -Infinity,
	() => '1e308',
	() => '-1',
	() => 'NaN',
	() => 'Infinity',
	() => '0x1F',
	() => '99999999999999999999999',
	() => 1.765432130123e18,
	() => 1.765432130123e15,
	() => 1.765432130123e12,
	() => 1.765432130123e9,
	() => 8.64e15 + 1,
	() => 1e21,
	() => '1765432130123456789',
	() => '+275760-09-13T00:00:00.001Z',
	() => '2024-13-45T99:99:99Z',
	() => '2024-11-30 07:06:07',
	() => '0001-01-01',
	() => 'https://evil.example.com/x.mp4',
	() => 'javascript:alert(1)',
	() => '[object Object]',
	() => true,
	() => false,
	() => null,
	() => undefined,
	() => 501,
	() => '501',
	() => 200,
	() => 'task_not_exist',
	() => ({ code: 'task_not_exist' }),
];
const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON'];

// ---- mutation ----

type Container = Record<string, unknown> | unknown[];
interface Slot {
	parent: Container;
	key: string | number;
}

function slots(root: unknown, out: Slot[] = [], depth = 0): Slot[] {
	if (!root || typeof root !== 'object' || depth > 6) return out;
	const c = root as Container;
	for (const key of Array.isArray(c) ? c.keys() : Object.keys(c)) {
		out.push({ parent: c, key });
		slots((c as Record<string | number, unknown>)[key], out, depth + 1);
	}
	return out;
}
const containers = (root: unknown): Container[] => {
	const list: Container[] = root && typeof root === 'object' ? [root as Container] : [];
	for (const s of slots(root)) {
		const v = (s.parent as Record<string | number, unknown>)[s.key];
		if (v && typeof v === 'object') list.push(v as Container);
	}
	return list;
};
const setOwn = (c: Container, key: string | number, value: unknown) =>
	Object.defineProperty(c, key, { value, writable: true, enumerable: true, configurable: true });

const STATUS_KEYS = ['status', 'state', 'code', 'detail'];
const TIME_KEYS = [
	'createdAt',
	'updatedAt',
	'createTime',
	'updateTime',
	'completeTime',
	'create_time',
	'update_time',
	'submit_time',
	'finish_time',
	'start_time',
];
const ID_KEYS = ['id', 'taskId', 'task_id', 'request_id'];

function mutate(base: unknown, r: Rng): unknown {
	let body: unknown = structuredClone(base);
	const rounds = 1 + r.int(4);
	for (let i = 0; i < rounds; i++) {
		const op = r.int(12);
		if (op === 0 && r.int(10) === 0) {
			// the whole body replaced (rarely: it ends the mutation chain's interest)
			body = r.pick(HOSTILE)();
			continue;
		}
		const all = slots(body);
		if (all.length === 0) return body;
		const named = (keys: string[]) =>
			all.filter((s) => typeof s.key === 'string' && keys.includes(s.key));
		const choose = (keys: string[]) => {
			const list = named(keys);
			return list.length > 0 ? r.pick(list) : r.pick(all);
		};
		const get = (s: Slot) => (s.parent as Record<string | number, unknown>)[s.key];
		switch (op) {
			case 1: {
				const s = r.pick(all);
				delete (s.parent as Record<string | number, unknown>)[s.key];
				break;
			}
			case 2:
			case 3:
				setOwn(r.pick(all).parent, r.pick(all).key, r.pick(HOSTILE)());
				break;
			case 4: {
				const s = r.pick(all);
				setOwn(s.parent, s.key, r.pick(HOSTILE)());
				break;
			}
			case 5: {
				const s = r.pick(all);
				setOwn(s.parent, s.key, [get(s)]);
				break;
			}
			case 6: {
				const s = r.pick(all);
				const v = get(s);
				const swapped =
					typeof v === 'string'
						? r.int(2)
							? Number(v)
							: { value: v }
						: typeof v === 'number'
							? String(v)
							: v && typeof v === 'object'
								? JSON.stringify(v)
								: v;
				setOwn(s.parent, s.key, swapped);
				break;
			}
			case 7: {
				const c = r.pick(containers(body));
				setOwn(c, r.pick(PROTO_KEYS), r.pick(HOSTILE)());
				break;
			}
			case 8:
			case 9: {
				const s = choose(STATUS_KEYS);
				setOwn(s.parent, s.key, r.int(4) === 0 ? [r.pick(WORDS)] : r.pick(WORDS));
				break;
			}
			case 10: {
				const s = choose(TIME_KEYS);
				setOwn(s.parent, s.key, r.pick(HOSTILE)());
				break;
			}
			default: {
				const s = choose(ID_KEYS);
				setOwn(s.parent, s.key, r.pick(HOSTILE)());
			}
		}
	}
	return body;
}

// ---- the oracle: which terminal statuses a body may honestly be read as ----

type Terminal = 'succeeded' | 'failed' | 'cancelled';
const at = (body: unknown, ...path: string[]): unknown => {
	let v: unknown = body;
	for (const k of path) {
		if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
		if (!Object.prototype.hasOwnProperty.call(v, k)) return undefined;
		v = (v as Record<string, unknown>)[k];
	}
	return v;
};
const word = (v: unknown): string | null =>
	typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/**
 * The terminal readings a documented status field of this provider supports (scalars of the vocabulary only).
 * `failedRead`: the answer came with HTTP 400, which Muapi gives for a failed prediction.
 */
function allowed(provider: ProviderId, body: unknown, failedRead = false): Set<Terminal> {
	const out = new Set<Terminal>();
	if (failedRead) out.add('failed');
	const upper = (v: unknown) => word(v)?.toUpperCase();
	const runwayWord = (v: unknown) => {
		const w = typeof v === 'string' ? v.toUpperCase() : null;
		if (w === 'SUCCEEDED') out.add('succeeded');
		if (w === 'FAILED') out.add('failed');
		if (w === 'CANCELLED') out.add('cancelled');
	};
	if (provider === 'runway') runwayWord(at(body, 'status'));
	if (provider === 'useapi') {
		runwayWord(at(body, 'status'));
		runwayWord(at(body, 'task', 'status'));
	}
	if (provider === 'comet') {
		for (const v of [at(body, 'status'), at(body, 'data', 'status')]) {
			runwayWord(v);
			const w = upper(v);
			if (w === 'SUCCESS' || w === '3') out.add('succeeded');
			if (w === 'FAILURE' || w === '2') out.add('failed');
		}
		for (const v of [at(body, 'state'), at(body, 'data', 'state')]) {
			const w = typeof v === 'string' ? v.toLowerCase() : null;
			if (w === 'succeeded' || w === 'success') out.add('succeeded');
			if (w === 'failed' || w === 'failure') out.add('failed');
		}
	}
	if (provider === 'aiml') {
		const w =
			typeof at(body, 'status') === 'string' ? (at(body, 'status') as string).toLowerCase() : null;
		// A success word without a usable video URL is read as failed ("no output"), never as a success.
		if (w === 'completed' || w === 'succeeded' || w === 'success')
			out.add('succeeded').add('failed');
		if (w === 'error' || w === 'failed') out.add('failed');
	}
	if (provider === 'liangxin') {
		const state = at(body, 'data', 'state');
		const w = typeof state === 'string' ? state.toLowerCase() : null;
		if (w === 'success') out.add('succeeded');
		if (w === 'fail') out.add('failed');
		const code = at(body, 'code');
		if (code === 501 || (typeof code === 'string' && code.trim() !== '' && Number(code) === 501))
			out.add('failed');
	}
	if (provider === 'muapi') {
		const inner = at(body, 'detail');
		const p = inner && typeof inner === 'object' && !Array.isArray(inner) ? inner : body;
		const w =
			typeof at(p, 'status') === 'string' ? (at(p, 'status') as string).toLowerCase() : null;
		if (w === 'completed' || w === 'succeeded' || w === 'success') out.add('succeeded');
		if (w === 'failed' || w === 'error' || w === 'timeout') out.add('failed');
		if (w === 'cancelled' || w === 'canceled') out.add('cancelled');
	}
	return out;
}

// ---- well-formedness ----

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const CATEGORIES = [
	'moderation',
	'credits',
	'invalid_input',
	'rate_limited',
	'provider',
	'timeout',
	'auth',
	'not_found',
];
const isIso = (s: unknown) =>
	typeof s === 'string' && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;
const OBJECT_TEXT = '[object Object]';
let bodySaysObject = false;
/** A string the parser made by stringifying an object (unless the body itself holds that text). */
const cleanText = (s: unknown) =>
	typeof s === 'string' && (bodySaysObject || !s.includes(OBJECT_TEXT));
function holdsText(v: unknown, text: string, depth = 0): boolean {
	if (typeof v === 'string') return v.includes(text);
	if (!v || typeof v !== 'object' || depth > 8) return false;
	return Object.keys(v).some((k) => holdsText((v as Record<string, unknown>)[k], text, depth + 1));
}

function problems(task: NormalizedTask, provider: ProviderId): string[] {
	const p: string[] = [];
	if (task.provider !== provider) p.push('provider');
	if (task.model !== 'act_two' && task.model !== 'act_one') p.push('model');
	if (!cleanText(task.taskId) || task.taskId === '') p.push('taskId');
	if (!STATUSES.includes(task.status)) p.push(`status ${String(task.status as unknown)}`);
	if (
		task.progress !== null &&
		!(typeof task.progress === 'number' && task.progress >= 0 && task.progress <= 1)
	)
		p.push('progress');
	if (
		!Array.isArray(task.outputs) ||
		!task.outputs.every((o) => typeof o.url === 'string' && /^https?:\/\//i.test(o.url))
	)
		p.push('outputs');
	if (task.error !== null) {
		const e = task.error;
		if (task.status !== 'failed') p.push('error on a task that did not fail');
		if (!cleanText(e.code) || !cleanText(e.message) || e.message === '') p.push('error text');
		if (!CATEGORIES.includes(e.category)) p.push('error category');
		if (typeof e.retryable !== 'boolean') p.push('error retryable');
	}
	for (const k of ['createdAt', 'updatedAt'] as const)
		if (task[k] !== null && !isIso(task[k])) p.push(`${k} ${String(task[k])}`);
	if (task.replyRef !== null && !cleanText(task.replyRef)) p.push('replyRef');
	if (task.cost !== null) {
		const c = task.cost;
		if (!(typeof c.amount === 'number' && Number.isFinite(c.amount) && c.amount >= 0))
			p.push('cost amount');
		if (c.unit !== 'credits' && c.unit !== 'usd') p.push('cost unit');
		if (typeof c.final !== 'boolean') p.push('cost final');
		if (c.final && !['succeeded', 'failed', 'cancelled'].includes(task.status))
			p.push('a final cost on a task that has not ended');
	}
	if (!task.raw || typeof task.raw !== 'object') p.push('raw');
	return p;
}

// ---- running one body through a parser ----

/**
 * The transport's side of an answer: a 2xx body (a business code in it becomes a ProviderError), or with
 * `httpStatus` an error status, which the transport turns into a ProviderError carrying the body.
 */
function answering(provider: ProviderId, body: unknown, httpStatus = 200): ApiClient {
	return {
		async request<T>(req: ApiRequest): Promise<T> {
			if (httpStatus >= 400)
				throw new ProviderError(
					provider,
					classifyHttp(httpStatus, body, ADAPTERS[provider].errors),
					httpStatus,
					body,
				);
			const code = req.businessCode?.(body) ?? null;
			if (code !== null)
				throw new ProviderError(
					provider,
					classifyHttp(code, body, ADAPTERS[provider].errors),
					200,
					body,
				);
			return body as T;
		},
	};
}

const INPUT: CreateInput = {
	model: 'act_two',
	character: { kind: 'uri', type: 'image', uri: 'https://cdn.example.com/c.png' },
	reference: { kind: 'uri', type: 'video', uri: 'https://cdn.example.com/r.mp4' },
};
const ASSETS: CreateInput = {
	model: 'act_two',
	character: { kind: 'asset', type: 'image', assetId: 'user:4242-asset:c' },
	reference: { kind: 'asset', type: 'video', assetId: 'user:4242-asset:r' },
};

type Shape =
	| { kind: 'get'; id: string; model: ModelId; bases: unknown[]; httpStatus?: number }
	| { kind: 'callback'; bases: unknown[] }
	| { kind: 'create'; input: CreateInput; bases: unknown[] };

const PLAN: Array<{ adapter: ProviderAdapter; shapes: Shape[]; opts?: string }> = [
	{
		adapter: runwayAdapter,
		shapes: [
			{ kind: 'get', id: RW_ID, model: 'act_two', bases: RUNWAY_STATUS },
			{ kind: 'create', input: INPUT, bases: [{ id: RW_ID }] },
		],
	},
	{
		adapter: useapiAdapter,
		shapes: [
			{ kind: 'get', id: UA_ID, model: 'act_two', bases: USEAPI_STATUS },
			{ kind: 'callback', bases: USEAPI_CALLBACK },
			{ kind: 'create', input: ASSETS, bases: USEAPI_CREATE },
		],
	},
	{
		adapter: cometAdapter,
		shapes: [
			{ kind: 'get', id: CM_ID, model: 'act_two', bases: [...COMET_NATIVE, ...COMET_GATEWAY] },
			{
				kind: 'get',
				id: CM1_ID,
				model: 'act_one',
				bases: [...COMET_FEED_LEGACY, ...COMET_FEED_GATEWAY],
			},
			{ kind: 'callback', bases: COMET_CALLBACK },
			{ kind: 'create', input: INPUT, bases: COMET_CREATE },
			{ kind: 'create', input: { ...INPUT, model: 'act_one' }, bases: COMET_CREATE_ONE },
		],
	},
	{
		adapter: liangxinAdapter,
		shapes: [
			{ kind: 'get', id: LX_ID, model: 'act_two', bases: LIANGXIN_STATUS },
			{ kind: 'callback', bases: LIANGXIN_CALLBACK },
			{ kind: 'create', input: INPUT, bases: LIANGXIN_CREATE },
		],
	},
	{
		adapter: aimlAdapter,
		shapes: [
			{ kind: 'get', id: AI_ID, model: 'act_two', bases: AIML_STATUS },
			// AIML sends no callbacks: nothing may be taken for one.
			{ kind: 'callback', bases: AIML_STATUS },
			{ kind: 'create', input: INPUT, bases: AIML_CREATE },
		],
	},
	{
		adapter: muapiAdapter,
		shapes: [
			{ kind: 'get', id: MU_ID, model: 'act_two', bases: MUAPI_STATUS },
			{ kind: 'get', id: MU_ID, model: 'act_two', bases: MUAPI_FAILED_400, httpStatus: 400 },
			{ kind: 'callback', bases: MUAPI_CALLBACK },
			{ kind: 'create', input: INPUT, bases: MUAPI_CREATE },
		],
	},
];

function describeBody(body: unknown): string {
	try {
		const text = JSON.stringify(body, (_k, v: unknown) =>
			typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v,
		);
		return text === undefined ? String(typeof body) : text.slice(0, 600);
	} catch {
		return '(not serialisable)';
	}
}

interface Tally {
	bodies: number;
	succeeded: number;
	failed: number;
	typedErrors: number;
	nullCallbacks: number;
	slowestMs: number;
	/** Counts per kind of problem (raw error, false succeeded, switched task, ...). */
	counts: Record<string, number>;
	problems: string[];
}

async function fuzzProvider(entry: (typeof PLAN)[number]): Promise<Tally> {
	const { adapter } = entry;
	const provider = adapter.id;
	const r = rng(SEED ^ (provider.length * 7919) ^ provider.charCodeAt(0));
	const tally: Tally = {
		bodies: 0,
		succeeded: 0,
		failed: 0,
		typedErrors: 0,
		nullCallbacks: 0,
		slowestMs: 0,
		counts: {},
		problems: [],
	};
	const fail = (n: number, shape: Shape, body: unknown, what: string) => {
		const kind = what.split(':')[0];
		tally.counts[kind] = (tally.counts[kind] ?? 0) + 1;
		if (tally.problems.length < 10)
			tally.problems.push(
				`${provider} ${shape.kind} #${n} (FUZZ_SEED=${SEED}): ${what}\n  body: ${describeBody(body)}`,
			);
	};
	for (let n = 0; n < PER_PROVIDER; n++) {
		const shape = entry.shapes[n % entry.shapes.length];
		// One body in ten is a valid one unchanged, so the good path is checked under the same assertions.
		const base = r.pick(shape.bases);
		const body = n % 10 === 0 ? structuredClone(base) : mutate(base, r);
		tally.bodies++;
		bodySaysObject = holdsText(body, OBJECT_TEXT);
		const started = performance.now();
		let task: NormalizedTask | null = null;
		try {
			if (shape.kind === 'callback') task = adapter.parseCallback(body);
			else if (shape.kind === 'get')
				task = await adapter.get(
					answering(provider, body, shape.httpStatus),
					shape.id,
					shape.model,
				);
			else task = await adapter.create(answering(provider, body), shape.input);
		} catch (error) {
			if (shape.kind === 'callback') fail(n, shape, body, `parseCallback threw ${String(error)}`);
			else if (!(error instanceof ProviderError))
				fail(n, shape, body, `raw error: ${(error as Error)?.stack ?? String(error)}`);
			else {
				tally.typedErrors++;
				const d = error.detail;
				if (!CATEGORIES.includes(d.category) || !cleanText(d.message) || !cleanText(d.code))
					fail(n, shape, body, `ill-formed ProviderError ${JSON.stringify(d)}`);
			}
		}
		tally.slowestMs = Math.max(tally.slowestMs, performance.now() - started);
		if (task === null) {
			if (shape.kind === 'callback') tally.nullCallbacks++;
			continue;
		}
		const p = problems(task, provider);
		if (p.length > 0) fail(n, shape, body, `ill-formed task: ${p.join(', ')}`);
		if (shape.kind === 'get' && task.taskId !== shape.id)
			fail(n, shape, body, `switched task: read ${shape.id}, got ${task.taskId}`);
		if (task.status === 'succeeded' || task.status === 'failed' || task.status === 'cancelled') {
			const failedRead = shape.kind === 'get' && shape.httpStatus === 400;
			if (!allowed(provider, body, failedRead).has(task.status))
				fail(n, shape, body, `false ${task.status}: no documented status field says so`);
		}
		// AIML requires a video URL for a success (providers.md 7 A.3): none is read as failed.
		if (provider === 'aiml' && task.status === 'succeeded' && task.outputs.length === 0)
			fail(n, shape, body, 'succeeded without a video URL');
		if (task.status === 'succeeded') tally.succeeded++;
		if (task.status === 'failed') tally.failed++;
	}
	return tally;
}

describe(`parser fuzz (seed ${SEED}, ${PER_PROVIDER} mutated bodies per provider)`, () => {
	it.each(PLAN.map((p) => [p.adapter.id, p] as const))(
		'%s: every body becomes a well-formed task or a typed ProviderError, never a false success or failure',
		async (_id, entry) => {
			const tally = await fuzzProvider(entry);
			expect({ counts: tally.counts, first: tally.problems }).toEqual({ counts: {}, first: [] });
			expect(tally.bodies).toBeGreaterThanOrEqual(10_000);
			// The fuzz reaches every outcome, so the oracle is exercised, not vacuous.
			expect(tally.succeeded).toBeGreaterThan(100);
			expect(tally.failed).toBeGreaterThan(100);
			expect(tally.typedErrors).toBeGreaterThan(0);
			expect(tally.slowestMs).toBeLessThan(1000);
		},
		20_000,
	);
});
