/** The providers the Act-Two node serves today (the node tests key their per-provider tables by it). */
export type SimProvider = 'runway' | 'useapi' | 'comet' | 'liangxin' | 'aiml' | 'muapi';

/** Every simulated provider: SimProvider plus those whose node adapters are still to come. */
export type AnySimProvider = SimProvider;

/** Which API surface created a task (Comet has two: the Runway-compatible one and the legacy Act-One one). */
export type SimApi =
	| 'runway'
	| 'useapi'
	| 'comet-runway'
	| 'comet-act-one'
	| 'liangxin'
	| 'aiml'
	| 'muapi';

/**
 * How the next created task of a provider ends.
 * - succeed: normal lifecycle, output MP4 served by the simulator
 * - moderation: the task fails with the provider's content-moderation code/text
 * - no_face: the task fails because the provider found no usable face in the inputs (an input problem)
 * - error: the task fails with the provider's generic/internal failure
 * - no_credits: the CREATE request itself is rejected with the provider's no-credits error (no task)
 * - stuck: the task never leaves the running state (for timeout tests)
 */
export type SimOutcome = 'succeed' | 'moderation' | 'no_face' | 'error' | 'no_credits' | 'stuck';

/** Generic lifecycle phase; each provider maps it onto its own status vocabulary. */
export type SimPhase = 'queued' | 'throttled' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface SimTiming {
	queuedMs: number;
	throttledMs: number;
	runningMs: number;
	progressSteps: number;
}

export interface SimulatorOptions {
	/** 0 / undefined = a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	timing?: Partial<SimTiming>;
	/** Callbacks are retried on a non-2xx answer or a connection error. Defaults: 3 attempts, 200 ms base (doubling). */
	callbackRetry?: { attempts?: number; baseDelayMs?: number };
	/** When set, LiangXin callbacks carry Kie-style X-Webhook-Timestamp / X-Webhook-Signature. */
	liangxinHmacKey?: string;
	/** Shape of GET /runwayml/v1/tasks/{id} on Comet. Default 'wrapped' (the live-verified one). */
	cometTaskShape?: 'wrapped' | 'native';
	/** Shape of POST /runway/feed on Comet. Default 'legacy'. */
	cometFeedShape?: 'legacy' | 'wrapped';
	/**
	 * LiangXin/Kie business errors: 'mirror' (default) answers with HTTP status = body code,
	 * '200' answers HTTP 200 with the error code only in the body (both are seen on Kie-style gateways).
	 */
	liangxinErrorHttpStatus?: 'mirror' | '200';
	/**
	 * Runway: the org's max concurrent act_two generations (also reported by GET /v1/organization).
	 * Tasks over it are accepted and wait in THROTTLED. Default: unlimited.
	 */
	runwayConcurrency?: number;
	/** Runway: GET /v1/organization reports the act_two tier limits as null (unlimited, SDK 4.20.1). */
	runwayUnlimitedTier?: boolean;
	/** useapi: the linked account's default maxJobs (a create above it answers 429). Default 3. */
	useapiMaxJobs?: number;
	/**
	 * AIML: the `video` of a completed generation. 'array' (default): `["<url>"]`, the Act-Two page's
	 * recorded run; 'object': `{url}`, the documented universal schema (with `meta.usage`); 'objects':
	 * `[{url}]` and 'string': `"<url>"`, the other forms AIML clients accept.
	 */
	aimlVideoShape?: 'array' | 'object' | 'objects' | 'string';
	/** AIML: the terminal success status, 'completed' (documented, default) or 'succeeded' (other models' pages). */
	aimlCompletedStatus?: 'completed' | 'succeeded';
	/**
	 * AIML: the `error` of a failed generation. 'object' (default): `{name, message}` (documented);
	 * 'string': the legacy Runway DTO; 'detail': `{detail:[{loc, msg, type}]}` (a recorded failure).
	 */
	aimlErrorShape?: 'object' | 'string' | 'detail';
	/** Muapi: the create answer, 'current' (default: request_id, status, cost) or 'legacy' (`{request_id}` only). */
	muapiCreateShape?: 'current' | 'legacy';
	/** Muapi: the result body 'plain' (default, documented) or wrapped as `{detail: {...}}` (seen by a client). */
	muapiResultShape?: 'plain' | 'detail';
	/** Muapi: the HTTP status of a failed prediction's result, '400' (default, as Muapi's own clients expect) or '200'. */
	muapiFailedHttpStatus?: '400' | '200';
	/** Muapi: `outputs` as 'strings' (default, documented) or `[{url}]` 'objects' (other Muapi models). */
	muapiOutputs?: 'strings' | 'objects';
	/** Muapi: body fields outside the model's schema are 'ignore'd (default, pydantic's default) or 'forbid'den (422). */
	muapiExtraFields?: 'ignore' | 'forbid';
}

export type FaultKind =
	| 'status'
	| 'rate_limit'
	| 'server_error'
	| 'delay'
	| 'drop'
	| 'malformed_json'
	| 'task_not_exist';

export interface FaultRule {
	provider?: AnySimProvider;
	method?: string;
	/**
	 * Matched against the provider-relative path (e.g. '/v1/tasks/abc' under the Runway prefix) and the
	 * full path (e.g. '/runway/v1/tasks/abc'), query excluded. A string matches when a path equals it or
	 * starts with it; a RegExp is tested against both.
	 */
	path?: string | RegExp;
	/** How many matching requests the rule applies to. Default: unlimited (until faults.clear()). */
	times?: number;
	kind: FaultKind;
	/** status / server_error: the HTTP status (server_error default 500). */
	status?: number;
	/** status / server_error / rate_limit: a body to send instead of the provider's own error body. */
	body?: unknown;
	/** Extra response headers. */
	headers?: Record<string, string>;
	/** rate_limit: the Retry-After header in seconds; omitted when undefined. */
	retryAfter?: number;
	/**
	 * delay: milliseconds to wait before the request is handled normally.
	 * task_not_exist: only reads of tasks created less than ms ago are answered task_not_exist
	 * ("for a short moment right after create"); without ms, the next `times` reads are.
	 */
	ms?: number;
	/**
	 * drop / malformed_json: 'before' (default for drop) fails the request before the simulator acts on it;
	 * 'after' lets it take effect (a create really creates the task) and then breaks the response.
	 * malformed_json is always 'after' unless 'before' is given.
	 */
	when?: 'before' | 'after';
}

export interface SimFailure {
	kind: 'moderation' | 'no_face' | 'error' | 'cancelled';
}

/** A snapshot of one created task, as returned by tasks(). */
export interface SimTask {
	provider: AnySimProvider;
	api: SimApi;
	/** The provider-visible task id (what the create response gave back). */
	id: string;
	model: 'act_two' | 'act_one';
	phase: SimPhase;
	/** 0..1 */
	progress: number;
	outcome: Exclude<SimOutcome, 'no_credits'>;
	/** The create request body as received (JSON) or the resolved inputs. */
	input: unknown;
	callbackUrl: string | null;
	replyRef: string | null;
	createdAt: number;
	updatedAt: number;
	startedAt: number | null;
	finishedAt: number | null;
	outputUrl: string | null;
	failure: SimFailure | null;
	/** Deleted tasks answer 404. */
	deleted: boolean;
	/** When the current phase began (epoch ms). */
	phaseStartedAt: number;
	/** Provider-specific details (useapi account and options, LiangXin param string, ...). */
	extra: Record<string, unknown>;
}

export interface RecordedRequest {
	at: number;
	provider: AnySimProvider | 'files' | 'control' | null;
	method: string;
	/** Path with the query; secrets in the query (Comet ?key=) are redacted. */
	path: string;
	/** Lower-cased header names; Authorization and other secrets are REDACTED. */
	headers: Record<string, string>;
	/** json: a JSON body, summarized; sha256: of any other body, to compare what was sent. */
	body: { contentType: string | null; bytes: number; json?: unknown; sha256?: string };
	/** The HTTP status answered, null when the socket was dropped. */
	status: number | null;
	/** The fault kind applied to this request, if any. */
	fault: FaultKind | null;
}

export interface RecordedCallback {
	at: number;
	provider: AnySimProvider;
	taskId: string;
	url: string;
	/** 1-based delivery attempt of this event. */
	attempt: number;
	/** 'progress' (useapi only) or 'final'. */
	event: 'progress' | 'final';
	headers: Record<string, string>;
	body: unknown;
	/** What the receiver answered; null on a connection error. */
	status: number | null;
	error: string | null;
}

export interface Simulator {
	url: string;
	baseUrls: Record<AnySimProvider, string>;
	keys: Record<AnySimProvider, string>;
	faults: { add(rule: FaultRule): void; clear(): void; list(): FaultRule[] };
	outcomes: {
		next(provider: AnySimProvider, outcome: SimOutcome, times?: number): void;
		clear(): void;
	};
	tasks(): SimTask[];
	/** The file a Runway upload stored under its runway:// URI, or null. */
	runwayFile(runwayUri: string): { data: Buffer; contentType: string; name: string } | null;
	requests(): RecordedRequest[];
	callbacks(): RecordedCallback[];
	/** The callback log once no POST is in flight (a receiver sees a callback before its answer is logged). */
	callbacksSettled(): Promise<RecordedCallback[]>;
	/** Serves files of examples/assets and test/fixtures as loopback input URLs: `${url}/static/<name>`. */
	staticUrl(name: string): string;
	/** A file on one of the test-only media hosts (see media-hosts.ts): `${url}/media/<host>/<name>`. */
	mediaUrl(host: string, name: string): string;
	reset(): void;
	close(): Promise<void>;
}
