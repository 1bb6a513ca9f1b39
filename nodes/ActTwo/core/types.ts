import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** A provider's id, as listed in providers/index.ts. */
export type ProviderId = string;
export type ModelId = 'act_two' | 'act_one';
export const MODEL_NAMES: Record<ModelId, string> = { act_two: 'Act-Two', act_one: 'Act-One' };

/** Normalized lifecycle shared by every provider (see README "Task object"). */
export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export type ErrorCategory =
	| 'moderation'
	| 'credits'
	| 'invalid_input'
	| 'rate_limited'
	| 'provider'
	| 'timeout'
	| 'auth'
	| 'not_found';

export interface TaskError {
	code: string;
	message: string;
	category: ErrorCategory;
	retryable: boolean;
}

export interface TaskOutput {
	url: string;
}

/**
 * What a task costs, as its provider reports it: an estimate (the most it may charge) while it runs, the
 * charged figure once it ended (`final`). See README "Task object".
 */
export interface TaskCost {
	amount: number;
	unit: 'credits' | 'usd';
	final: boolean;
}

export interface NormalizedTask {
	provider: ProviderId;
	model: ModelId;
	taskId: string;
	status: TaskStatus;
	/** 0..1, or null when the provider gives none. */
	progress: number | null;
	outputs: TaskOutput[];
	error: TaskError | null;
	createdAt: string | null;
	updatedAt: string | null;
	/** The caller's correlation reference, where the provider echoes one back (useapi replyRef). */
	replyRef: string | null;
	/** The provider's figure for this task; null when it reports none. */
	cost: TaskCost | null;
	/** The provider's own body, untouched. */
	raw: IDataObject;
}

/** The six output presets, in Runway's pixel form; adapters map them to their own vocabulary. */
export const RATIOS = [
	'1280:720',
	'720:1280',
	'960:960',
	'1104:832',
	'832:1104',
	'1584:672',
] as const;
export type Ratio = (typeof RATIOS)[number];

export type MediaType = 'image' | 'video';

/** A media input after binary uploads have been resolved: a URI (https, data:, runway://) or a provider asset id. */
export type MediaRef =
	| { kind: 'uri'; type: MediaType; uri: string }
	| { kind: 'asset'; type: MediaType; assetId: string };

export interface CreateInput {
	model: ModelId;
	character: MediaRef;
	reference: MediaRef;
	ratio?: Ratio;
	bodyControl?: boolean;
	expressionIntensity?: number;
	seed?: number;
	publicFigureThreshold?: 'auto' | 'low';
	exploreMode?: boolean;
	maxJobs?: number;
	replyRef?: string;
	callbackUrl?: string;
}

/** A file n8n streams from its binary-data store (what `helpers.getBinaryStream` gives). */
export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

export interface UploadInput {
	/** Size in bytes. */
	size: number;
	/** The whole file in memory, for data URIs (small files only: Runway's are at most 5 MB as sent). */
	read(): Promise<Buffer>;
	/** The file as a request body: a stream when n8n keeps it outside memory, opened anew on each call. */
	open(): Promise<Buffer | BinaryStream>;
	fileName: string;
	mimeType: string;
	mediaType: MediaType;
	/** Runway: always use /v1/uploads (a reusable runway:// URI) even when a data URI would do. */
	forceUpload?: boolean;
	/** A driving video's duration as read from its MP4/MOV header; null when it could not be read. */
	durationSeconds?: number | null;
}

/** What an upload gives back: something a later create can reference. */
export interface UploadResult {
	provider: ProviderId;
	ref: MediaRef;
	/** For display: an https URL of the asset, when the provider returns one. */
	url: string | null;
	expiresAt: string | null;
	raw: IDataObject;
}

export type RetryPolicy = 'idempotent' | 'create';

export interface ApiRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Relative to the credential's base URL, or absolute (presigned upload URLs). */
	url: string;
	qs?: IDataObject;
	body?: unknown;
	headers?: Record<string, string>;
	/** Reads retry on 429/5xx/lost connections; creates only on 429 (see transport/retry.ts). */
	retry: RetryPolicy;
	/** false for presigned URLs that must not carry the API key. */
	authenticated?: boolean;
	/** For APIs that answer HTTP 200 with an error code in the body: return that code, or null when the body is a success. */
	businessCode?: (body: unknown) => number | null;
	/** Opens the body for each attempt, for bodies that can be sent once (streams); replaces `body`. */
	openBody?: () => Promise<unknown>;
	/** Epoch ms (a poll's timeout): no retry waits past it, and the request's own timeout ends there. */
	deadline?: number;
	/** Overrides the policy's number of automatic retries (0: the caller handles a 429 itself). */
	maxRetries?: number;
}

/** The only way adapters reach the network; implemented by transport/ on n8n's HTTP helpers. */
export interface ApiClient {
	request<T = unknown>(req: ApiRequest): Promise<T>;
}

export interface ProviderCapabilities {
	models: ModelId[];
	cancel: boolean;
	/** The models whose renders call back (CometAPI: only its Act-One route). */
	callbacks: ModelId[];
	/** The models a create must carry a callback URL for. */
	callbackRequired: ModelId[];
	/** Binary inputs and the Upload operation (the adapter has `upload`); false: URL inputs only. */
	uploads: boolean;
	/** How a URL input reaches the provider: as given, or fetched and uploaded as its own asset first. */
	urlInputs: 'direct' | 'upload';
	/** What an Asset ID input is: a URI sent as a URL (Runway's runway://), the provider's asset id, or nothing. */
	assetIds: 'uri' | 'asset' | 'none';
	/** Default concurrency for batches. */
	defaultConcurrency: number;
}

/** The Create options a provider may take; the node shows and sends only those its adapter lists. */
export type CreateOption =
	| 'ratio'
	| 'bodyControl'
	| 'expressionIntensity'
	| 'seed'
	| 'publicFigureThreshold'
	| 'exploreMode'
	| 'maxJobs'
	| 'replyRef';

/** A provider's published limits, checked before anything is sent. */
export interface ProviderLimits {
	seed: { min: number; max: number };
	/** The output presets each model takes; a model not listed takes all six. */
	ratios?: Partial<Record<ModelId, readonly Ratio[]>>;
	/** The character media each model takes; a model not listed takes images and videos. */
	characterTypes?: Partial<Record<ModelId, readonly MediaType[]>>;
	/** Files it accepts as uploads (lower-case MIME types), where it publishes them. */
	upload?: { maxBytes?: number; mimeTypes?: readonly string[] };
	/** What an Asset ID must look like, with the rule stated for the user. */
	assetId?: { pattern: RegExp; rule: string };
}

/** A provider's own reading of its errors, over the shared classification in core/errors.ts. */
export interface ErrorRules {
	/** Where a user can see whether a create whose answer was lost started a render. */
	taskList: string;
	/** A category for an HTTP (or business) status and message, or null for the shared rules. */
	classify?(
		status: number,
		message: string,
	): { category: ErrorCategory; retryable: boolean } | null;
	/** Statuses outside 4xx that still mean the create started nothing. */
	refusals?: readonly number[];
}

/** What a callback's sender must prove beyond the URL secret (a provider's signature), from the credential. */
export type CallbackVerifier = (
	headers: IDataObject,
	body: IDataObject,
	credentials: IDataObject,
) => { ok: true } | { ok: false; reason: string };

/**
 * A provider's price list in credits, for estimates before anything is sent: the render is as long as the
 * driving video, and each model costs so many credits per second of it. Providers that bill otherwise have none.
 */
export interface CreditPricing {
	perSecond: Partial<Record<ModelId, number>>;
	/** A whole second is billed for a started one (an upper bound: the estimate guards a budget). */
	roundUpSeconds: boolean;
	/** Renders in useapi.net's Explore Mode cost no credits. */
	exploreModeFree: boolean;
	/** Where the figures come from, shown with an estimate. */
	source: string;
}

/** What a media host answered to HEAD on an input URL (sent without following redirects). */
export interface UrlHead {
	status: number;
	/** Lower case, without parameters; null when absent. */
	contentType: string | null;
	contentLength: number | null;
}

/** A provider's published rules for input URLs, checked before anything is sent (each problem names its rule). */
export interface UrlInputRules {
	/** Problems with the URL itself; none of these needs a request. */
	urlProblems(url: string): string[];
	/** Problems with the media host's answer to HEAD. */
	headProblems(head: UrlHead, type: MediaType): string[];
}

export interface ProviderAdapter {
	id: ProviderId;
	displayName: string;
	/** One line under the provider's name in the node's Provider list. */
	summary: string;
	credentialType: string;
	capabilities: ProviderCapabilities;
	limits: ProviderLimits;
	/** The Create options this provider takes, per model it serves. */
	options: Partial<Record<ModelId, readonly CreateOption[]>>;
	errors: ErrorRules;
	/** Checks a callback's signature where the provider signs them. */
	verifyCallback?: CallbackVerifier;
	/** Absent: the provider does not price renders in credits (no estimate, no Max Credits). */
	creditPricing?: CreditPricing;
	create(client: ApiClient, input: CreateInput): Promise<NormalizedTask>;
	/**
	 * The task asked about, with that id: an answer without it or about another task throws a retryable
	 * `malformed_answer` ProviderError (see malformed.ts), so a read never switches a node to another task.
	 */
	get(client: ApiClient, taskId: string, model: ModelId): Promise<NormalizedTask>;
	/** Present when capabilities.cancel is true. */
	cancel?(client: ApiClient, taskId: string, model: ModelId): Promise<void>;
	/** Present when capabilities.uploads is true. */
	upload?(client: ApiClient, file: UploadInput): Promise<UploadResult>;
	/** Rules an input URL must meet for this provider to fetch it, where the provider publishes them. */
	urlInputRules?: UrlInputRules;
	/** Parse a callback body; null when the body is not this provider's or names no task. Never throws. */
	parseCallback(body: unknown): NormalizedTask | null;
}
