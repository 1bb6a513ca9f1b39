import { NodeOperationError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { providerContext } from '../helpers/context';
import type { ProviderContext } from '../helpers/context';
import { withCallbackSecret } from '../../core/callback-url';
import { createOutcomeUnknown } from '../../core/errors';
import { MODEL_NAMES } from '../../core/types';
import { errorItem, inInputOrder, toNodeError } from '../helpers/items';
import { checkMediaParams, loadBinary, readMediaParams, resolveMedia } from '../helpers/media';
import type { MediaParams, MediaRole } from '../helpers/media';
import { readModel } from '../helpers/model';
import { taskJson } from '../helpers/output';
import { runsAsAgentTool } from '../helpers/tool';
import { validateCreateOptions } from '../helpers/validation';
import type { CreateOptions } from '../helpers/validation';
import type { CreateInput, NormalizedTask, ProviderId, UploadInput } from '../../core/types';
import { CapacityGate } from '../../transport/capacity';
import { withDeadline } from '../../transport/http';
import { mapWithConcurrency } from '../../core/limit';
import {
	binaryOutputProperty,
	concurrencyOption,
	outputProperty,
	pollingOptions,
} from '../common.description';
import { startCallbackWait } from './callback-wait';
import { budgetRefusal, estimateCredits, estimateJson, maxCreditsOption } from './credits';
import type { CreditEstimate } from './credits';
import { preflightUrls } from './preflight';
import { startedRenders } from './started-renders';
import { readOutputSettings, readWaitSettings, waitAndOutput } from './finish';
import { capacityWaitOption, createFields, createPollingOptions } from './create.description';

export const option: INodePropertyOptions = {
	name: 'Create',
	value: 'create',
	action: 'Create a character performance',
	description: 'Start a render, optionally waiting for it',
};

export const description: INodeProperties[] = [
	...createFields,
	outputProperty({
		show: { resource: ['task'], operation: ['create'], waitForCompletion: ['poll', 'callback'] },
	}),
	binaryOutputProperty({
		show: {
			resource: ['task'],
			operation: ['create'],
			waitForCompletion: ['poll', 'callback'],
			output: ['binary'],
		},
	}),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['task'], operation: ['create'] } },
		options: [
			concurrencyOption,
			capacityWaitOption,
			maxCreditsOption,
			...createPollingOptions(pollingOptions),
		],
	},
];

interface Plan {
	itemIndex: number;
	input: Omit<CreateInput, 'character' | 'reference'>;
	character: MediaParams;
	driving: MediaParams;
	/** Binary inputs as validation opened them, so the create does not read and check them again. */
	files: Partial<Record<MediaRole, UploadInput>>;
	/** The driving video's duration in seconds when known (a URL's from its header, see preflight.ts). */
	drivingSeconds: number | null;
	/** Checks of URL inputs that could not be made, shown in the item's output as `preflight`. */
	preflightNote?: string;
}

const CREATE_OPTION_NAMES = [
	'ratio',
	'bodyControl',
	'expressionIntensity',
	'seed',
	'publicFigureThreshold',
	'exploreMode',
	'maxJobs',
	'replyRef',
	'callbackUrl',
] as const;

/** Reads and checks one item's parameters; throws before anything is sent to the provider. */
async function planItem(
	ctx: IExecuteFunctions,
	i: number,
	pctx: ProviderContext,
	callbackMode: boolean,
): Promise<Plan> {
	const { adapter } = pctx;
	const model = readModel(ctx, i, adapter);
	const settings = ctx.getNodeParameter('createOptions', i, {}) as IDataObject;
	const raw: CreateOptions = {};
	for (const name of CREATE_OPTION_NAMES)
		if (settings[name] !== undefined) (raw as IDataObject)[name] = settings[name];
	const checked = validateCreateOptions(adapter, model, raw);
	if (!checked.ok) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid parameters: ${checked.problems.join('; ')}`,
			{
				itemIndex: i,
				description: 'Nothing was sent to the provider, so no credits were spent.',
			},
		);
	}
	const callsBack = pctx.adapter.capabilities.callbacks.includes(model);
	if (!callsBack && (callbackMode || checked.value.callbackUrl)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${adapter.displayName} ${MODEL_NAMES[model]} renders do not call back`,
			{
				itemIndex: i,
				description:
					'Its API takes no callback URL for this model. Use "Poll Until Done" (or Don\'t Wait + Get/Wait) and leave Callback URL empty. Nothing was sent, so no credits were spent.',
			},
		);
	}
	if (callbackMode && checked.value.callbackUrl) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Callback URL cannot be set when waiting until the callback',
			{
				itemIndex: i,
				description:
					"In that mode the node gives the provider this execution's own resume URL. Remove the Callback URL option.",
			},
		);
	}
	const needsCallback = adapter.capabilities.callbackRequired.includes(model);
	if (needsCallback && !callbackMode && !checked.value.callbackUrl) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${adapter.displayName} ${MODEL_NAMES[model]} needs a Callback URL`,
			{
				itemIndex: i,
				description: `${adapter.displayName} rejects ${MODEL_NAMES[model]} renders without a callback URL. Choose "Until Callback", or set the Callback URL option (for example an Act-Two Trigger's production URL); polling still works alongside it. Nothing was sent, so no credits were spent.`,
			},
		);
	}
	const character = readMediaParams(ctx, i, 'character');
	const driving = readMediaParams(ctx, i, 'driving');
	const files: Plan['files'] = {};
	for (const p of [character, driving]) {
		checkMediaParams(ctx, i, p, pctx.adapter);
		if (p.source === 'binary') files[p.role] = await loadBinary(ctx, i, p, pctx.adapter);
	}
	const characterTypes = adapter.limits.characterTypes?.[model];
	if (characterTypes && !characterTypes.includes(character.type)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${MODEL_NAMES[model]} on ${adapter.displayName} takes a character ${characterTypes.join(' or ')}, not a ${character.type}`,
			{ itemIndex: i },
		);
	}
	const urls = await preflightUrls(ctx, i, pctx, [character, driving]);
	const drivingSeconds = files.driving?.durationSeconds ?? urls.drivingSeconds;
	return {
		itemIndex: i,
		input: { model, ...checked.value },
		character,
		driving,
		files,
		drivingSeconds,
		...(urls.note ? { preflightNote: urls.note } : {}),
	};
}

/** Uploads the inputs once, then creates the render, waiting at the gate while the account is full. */
async function startRender(
	ctx: IExecuteFunctions,
	plan: Plan,
	pctx: ProviderContext,
	gate: CapacityGate,
	callbackUrl?: string,
): Promise<{ value: NormalizedTask; waitedMs: number }> {
	const character = await resolveMedia(ctx, plan.character, pctx, plan.files.character);
	const reference = await resolveMedia(ctx, plan.driving, pctx, plan.files.driving);
	const input: CreateInput = { ...plan.input, character, reference };
	if (callbackUrl) input.callbackUrl = callbackUrl;
	else if (input.callbackUrl)
		input.callbackUrl = withCallbackSecret(input.callbackUrl, pctx.callbackSecret);
	return await gate
		.create(async () => await pctx.adapter.create(gate.client, input))
		.catch((error: unknown) => {
			throw createOutcomeUnknown(error, pctx.adapter.errors);
		});
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const provider = this.getNodeParameter('provider', 0) as ProviderId;
	const waitMode = this.getNodeParameter('waitForCompletion', 0, 'none') as
		| 'none'
		| 'poll'
		| 'callback';
	const pctx = await providerContext(this, provider);
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = Number(options.concurrency) || pctx.adapter.capabilities.defaultConcurrency;
	const continueOnFail = this.continueOnFail();
	if (waitMode === 'callback' && pctx.adapter.capabilities.callbacks.length === 0) {
		throw new NodeOperationError(this.getNode(), `${pctx.adapter.displayName} does not call back`, {
			description: `${pctx.adapter.displayName} has no completion callbacks. Choose "Poll Until Done" instead.`,
		});
	}
	// A tool call must answer its agent; parking the whole execution would leave the agent without one.
	if (waitMode === 'callback' && runsAsAgentTool(this)) {
		throw new NodeOperationError(
			this.getNode(),
			'"Until Callback" cannot be used when an AI agent runs this node as a tool',
			{
				description:
					'Nothing was sent to the provider. Choose "Poll Until Done" so the agent gets the video URL, or "Don\'t Wait" so it gets the task ID to check later.',
			},
		);
	}
	// One waiting execution resumes with one callback: a batch would start renders nobody waits for.
	if (waitMode === 'callback' && items.length > 1) {
		throw new NodeOperationError(
			this.getNode(),
			`"Until Callback" waits for one render per execution; this node received ${items.length} items`,
			{
				description:
					'Nothing was sent to the provider. For a batch, use "Poll Until Done"; or "Don\'t Wait" with the Callback URL option set to an Act-Two Trigger; or send one item per execution (Loop Over Items + Execute Workflow).',
			},
		);
	}

	// 1. Validate every item before spending anything: a bad item in a batch starts no render.
	const slots: Array<{ plan?: Plan; error?: INodeExecutionData }> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			slots.push({ plan: await planItem(this, i, pctx, waitMode === 'callback') });
		} catch (error) {
			const nodeError = toNodeError(this, error, i);
			if (!continueOnFail) throw nodeError;
			slots.push({
				error: errorItem(nodeError, i),
			});
		}
	}

	// Each item's estimate, shown in its output; with Max Credits, an over-budget batch sends nothing.
	const estimates = new Map<number, CreditEstimate>();
	for (const { plan } of slots)
		if (plan)
			estimates.set(
				plan.itemIndex,
				estimateCredits(pctx.adapter, { ...plan.input, drivingSeconds: plan.drivingSeconds }),
			);
	if (options.maxCredits !== undefined && options.maxCredits !== '') {
		const planned = slots.flatMap((s) => (s.plan ? [s.plan] : []));
		const refusal = budgetRefusal(
			this.getNode(),
			pctx.adapter,
			options.maxCredits,
			planned.map((p) => ({
				itemIndex: p.itemIndex,
				estimate: estimates.get(p.itemIndex) as CreditEstimate,
				drivingSeconds: p.drivingSeconds,
			})),
		);
		if (refusal && !continueOnFail) throw refusal;
		if (refusal) {
			for (const slot of slots) {
				if (!slot.plan) continue;
				slot.error = errorItem(
					toNodeError(this, refusal, slot.plan.itemIndex),
					slot.plan.itemIndex,
				);
				delete slot.plan;
			}
		}
	}

	// 2. Start the renders with bounded concurrency. A create is never retried after an ambiguous failure.
	const callbackUrl =
		waitMode === 'callback'
			? (this.evaluateExpression('{{ $execution.resumeUrl }}', 0) as string)
			: undefined;
	const started: Array<{ itemIndex: number; task: NormalizedTask }> = [];
	const earlierTries = startedRenders(this);
	const wait = readWaitSettings(this, true);
	const gate = new CapacityGate(pctx.client, {
		maxWaitMs: Number(options.capacityWaitMinutes ?? 30) * 60_000,
		checkEveryMs: wait.intervalMs,
		concurrency,
		signal: pctx.signal,
		read: async (task, deadline) =>
			await pctx.adapter.get(withDeadline(pctx.client, deadline), task.taskId, task.model),
	});
	/** Per item: how long its create waited for a free slot (also shown under Don't Wait). */
	const capacityWaitMs = new Map<number, number>();
	let stop: Error | undefined;
	await mapWithConcurrency(
		slots,
		concurrency,
		async (slot) => {
			if (!slot.plan) return;
			const i = slot.plan.itemIndex;
			try {
				let task = earlierTries.get(i);
				if (!task) {
					const created = await startRender(this, slot.plan, pctx, gate, callbackUrl);
					task = created.value;
					earlierTries.add(i, task);
					capacityWaitMs.set(i, created.waitedMs);
				}
				gate.track(task);
				started.push({ itemIndex: i, task });
			} catch (error) {
				const nodeError = toNodeError(this, error, i);
				if (!continueOnFail) {
					stop ??= nodeError;
					return;
				}
				slot.error = errorItem(nodeError, i);
			}
		},
		() => stop !== undefined,
	);
	started.sort((a, b) => a.itemIndex - b.itemIndex);
	if (stop) throw withStartedTasks(stop, started);

	const notes = new Map(slots.map((s) => [s.plan?.itemIndex, s.plan?.preflightNote]));
	/** What the start of an item's render cost and found, shown with its task in every mode. */
	const startInfo = (itemIndex: number): IDataObject => {
		const estimate = estimates.get(itemIndex);
		const note = notes.get(itemIndex);
		return {
			capacityWaitMs: capacityWaitMs.get(itemIndex) ?? 0,
			...(estimate ? estimateJson(estimate) : {}),
			...(note ? { preflight: note } : {}),
		};
	};

	// 3. Return at once, wait by polling, or park the execution until the provider calls back.
	let results: INodeExecutionData[];
	if (waitMode === 'none') {
		results = started.map(({ itemIndex, task }) => ({
			json: taskJson(task),
			pairedItem: { item: itemIndex },
		}));
	} else if (waitMode === 'callback') {
		return await startCallbackWait(
			this,
			pctx,
			started,
			slots.flatMap((s) => (s.error ? [s.error] : [])),
			startInfo(started[0]?.itemIndex ?? 0),
		);
	} else {
		try {
			results = await waitAndOutput(
				this,
				pctx,
				started,
				wait,
				readOutputSettings(this),
				concurrency,
			);
		} catch (error) {
			throw withStartedTasks(error as Error, started);
		}
	}
	for (const item of results) {
		// Not on Continue On Fail error items ({ error: message, details }).
		if (typeof item.json.error === 'string') continue;
		Object.assign(item.json, startInfo((item.pairedItem as { item: number }).item));
	}
	const errors = slots.flatMap((s) => (s.error ? [s.error] : []));
	return inInputOrder(results, errors);
}

/**
 * An error that stops the node must not lose renders that already started and are being billed: it lists
 * those still running (use Get or Wait), and those that finished but whose results the error drops. A render
 * that ended failed or cancelled, like the one the error is about, is not listed.
 */
function withStartedTasks(
	error: Error,
	started: Array<{ itemIndex: number; task: NormalizedTask }>,
): Error {
	const list = (status: (s: NormalizedTask['status']) => boolean) =>
		started
			.filter(({ task }) => status(task.status))
			.map(({ itemIndex, task }) => `item ${itemIndex}: ${task.taskId}`)
			.join(', ');
	const running = list((s) => s === 'queued' || s === 'running');
	const succeeded = list((s) => s === 'succeeded');
	const notes = [
		running && `Renders already started by this node (use Get or Wait with these IDs): ${running}.`,
		succeeded &&
			`Renders that succeeded, whose results this error leaves out (use Get with these IDs): ${succeeded}.`,
	].filter(Boolean);
	if (notes.length === 0) return error;
	const e = error as Error & { description?: string };
	e.description = [e.description, ...notes].filter(Boolean).join(' ');
	return e;
}
