import { randomUUID } from 'node:crypto';

import { CallbackSender } from './callbacks';
import { FaultRegistry } from './faults';
import { OUTPUT_MP4, readCached } from './files';
import { Lifecycle, type LifecycleEvent } from './lifecycle';
import type {
	RecordedRequest,
	SimApi,
	SimOutcome,
	AnySimProvider,
	SimTask,
	SimTiming,
	SimulatorOptions,
} from './types';

export const DEFAULT_TIMING: SimTiming = {
	queuedMs: 150,
	throttledMs: 0,
	runningMs: 600,
	progressSteps: 3,
};

/** The valid API keys (fake, fixed, so demos and e2e configs can hard-code them). */
export const KEYS = {
	runway: 'key_sim_runway_0123456789abcdef0123456789abcdef',
	useapi: 'user:4242-simUseapiToken0123456789',
	comet: 'sk-simcomet0123456789abcdef0123456789abcdef',
	liangxin: 'sk-simliangxin0123456789abcdef',
	aiml: 'simaiml0123456789abcdef0123456789a',
	muapi: 'sim-muapi-0123456789abcdef0123456789abcdef',
} as const;

/** A file uploaded through Runway's presigned upload (step 2) or useapi's POST /assets. */
export interface StoredFile {
	id: string;
	name: string;
	contentType: string;
	data: Buffer;
	/** Seconds, when the file is an MP4/MOV with a readable movie header. */
	duration: number | null;
	createdAt: number;
}

export interface RunwayUpload {
	token: string;
	runwayUri: string;
	filename: string;
	fields: Record<string, string>;
	file: StoredFile | null;
	createdAt: number;
}

export type Notifier = (task: SimTask, event: LifecycleEvent) => void;

export interface ResolvedOptions {
	timing: SimTiming;
	liangxinHmacKey: string | null;
	cometTaskShape: 'wrapped' | 'native';
	cometFeedShape: 'legacy' | 'wrapped';
	liangxinErrorHttpStatus: 'mirror' | '200';
	useapiMaxJobs: number;
	runwayConcurrency: number;
	runwayUnlimitedTier: boolean;
	aimlVideoShape: 'array' | 'object' | 'objects' | 'string';
	aimlCompletedStatus: 'completed' | 'succeeded';
	aimlErrorShape: 'object' | 'string' | 'detail';
	muapiCreateShape: 'current' | 'legacy';
	muapiResultShape: 'plain' | 'detail';
	muapiFailedHttpStatus: '400' | '200';
	muapiOutputs: 'strings' | 'objects';
	muapiExtraFields: 'ignore' | 'forbid';
}

/** Everything the simulator remembers; reset() empties it. */
/** LiangXin ids are a millisecond clock: unique across every simulator of the process, as across one provider. */
let lastLiangxinId = 0;

export class SimState {
	url = '';
	readonly opts: ResolvedOptions;
	readonly faults = new FaultRegistry();
	readonly callbacks: CallbackSender;
	readonly lifecycle: Lifecycle;
	readonly taskList: SimTask[] = [];
	readonly requestLog: RecordedRequest[] = [];
	readonly runwayUploads = new Map<string, RunwayUpload>();
	readonly useapiAssets = new Map<string, StoredFile & { assetId: string }>();
	/** Files of Muapi's POST /upload_file, by id; served at /files/muapi/<id>/<name>. */
	readonly muapiUploads = new Map<string, StoredFile>();
	private readonly outcomeQueues = new Map<AnySimProvider, SimOutcome[]>();
	private readonly notifiers = new Map<SimApi, Notifier>();

	constructor(options: SimulatorOptions) {
		this.opts = {
			timing: { ...DEFAULT_TIMING, ...(options.timing ?? {}) },
			liangxinHmacKey: options.liangxinHmacKey ?? null,
			cometTaskShape: options.cometTaskShape ?? 'wrapped',
			cometFeedShape: options.cometFeedShape ?? 'legacy',
			liangxinErrorHttpStatus: options.liangxinErrorHttpStatus ?? 'mirror',
			useapiMaxJobs: options.useapiMaxJobs ?? 3,
			runwayConcurrency: options.runwayConcurrency ?? Infinity,
			runwayUnlimitedTier: options.runwayUnlimitedTier ?? false,
			aimlVideoShape: options.aimlVideoShape ?? 'array',
			aimlCompletedStatus: options.aimlCompletedStatus ?? 'completed',
			aimlErrorShape: options.aimlErrorShape ?? 'object',
			muapiCreateShape: options.muapiCreateShape ?? 'current',
			muapiResultShape: options.muapiResultShape ?? 'plain',
			muapiFailedHttpStatus: options.muapiFailedHttpStatus ?? '400',
			muapiOutputs: options.muapiOutputs ?? 'strings',
			muapiExtraFields: options.muapiExtraFields ?? 'ignore',
		};
		this.callbacks = new CallbackSender(
			Math.max(1, options.callbackRetry?.attempts ?? 3),
			Math.max(0, options.callbackRetry?.baseDelayMs ?? 200),
		);
		this.lifecycle = new Lifecycle(
			this.opts.timing,
			(task, event) => this.notifiers.get(task.api)?.(task, event),
			(task) => this.hasSlot(task),
		);
	}

	/** Runway's tier concurrency: tasks over the limit are accepted and sit in THROTTLED. */
	private hasSlot(task: SimTask): boolean {
		if (task.api !== 'runway') return true;
		const running = this.taskList.filter(
			(t) => t.api === 'runway' && !t.deleted && t.phase === 'running',
		).length;
		return running < this.opts.runwayConcurrency;
	}

	onTaskChange(api: SimApi, notifier: Notifier): void {
		this.notifiers.set(api, notifier);
	}

	queueOutcome(provider: AnySimProvider, outcome: SimOutcome, times = 1): void {
		const q = this.outcomeQueues.get(provider) ?? [];
		for (let i = 0; i < times; i++) q.push(outcome);
		this.outcomeQueues.set(provider, q);
	}

	clearOutcomes(): void {
		this.outcomeQueues.clear();
	}

	/** The outcome the next create of this provider gets (consumed). */
	takeOutcome(provider: AnySimProvider): SimOutcome {
		return this.outcomeQueues.get(provider)?.shift() ?? 'succeed';
	}

	/** Puts back an outcome taken by a create that was then rejected for another reason. */
	untakeOutcome(provider: AnySimProvider, outcome: SimOutcome): void {
		if (outcome === 'succeed') return;
		const q = this.outcomeQueues.get(provider) ?? [];
		q.unshift(outcome);
		this.outcomeQueues.set(provider, q);
	}

	newLiangxinTaskId(): string {
		lastLiangxinId = Math.max(Date.now(), lastLiangxinId + 1);
		return 'task_runway_act_two_' + lastLiangxinId;
	}

	createTask(init: {
		provider: AnySimProvider;
		api: SimApi;
		id?: string;
		model: 'act_two' | 'act_one';
		outcome: Exclude<SimOutcome, 'no_credits'>;
		input: unknown;
		callbackUrl?: string | null;
		replyRef?: string | null;
		extra?: Record<string, unknown>;
	}): SimTask {
		const now = Date.now();
		const id = init.id ?? randomUUID();
		const task: SimTask = {
			provider: init.provider,
			api: init.api,
			id,
			model: init.model,
			phase: 'queued',
			progress: 0,
			outcome: init.outcome,
			input: init.input,
			callbackUrl: init.callbackUrl ?? null,
			replyRef: init.replyRef ?? null,
			createdAt: now,
			updatedAt: now,
			startedAt: null,
			finishedAt: null,
			outputUrl: init.outcome === 'succeed' ? this.fileUrl(id, 'mp4') : null,
			failure: null,
			deleted: false,
			phaseStartedAt: now,
			extra: init.extra ?? {},
		};
		this.taskList.push(task);
		this.lifecycle.start(task);
		return task;
	}

	findTask(api: SimApi, id: string): SimTask | undefined {
		return this.taskList.find((t) => t.api === api && t.id === id && !t.deleted);
	}

	fileUrl(taskId: string, ext: 'mp4' | 'png'): string {
		return this.url + '/files/' + encodeURIComponent(taskId) + '.' + ext;
	}

	/** Bytes of the rendered output every succeeded task points at. */
	outputSize(): number {
		return readCached(OUTPUT_MP4).length;
	}

	reset(): void {
		this.lifecycle.clear();
		this.callbacks.reset();
		this.faults.clear();
		this.clearOutcomes();
		this.taskList.length = 0;
		this.requestLog.length = 0;
		this.runwayUploads.clear();
		this.useapiAssets.clear();
		this.muapiUploads.clear();
	}
}
