import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { MediaParams } from '../helpers/media';
import type { ProviderContext } from '../helpers/context';
import { drivingDurationProblem } from '../helpers/validation';
import { headUrl, probeVideoDuration } from '../../transport/media-probe';

export interface UrlPreflight {
	/** The driving video's duration read from its header over HTTP; null when not known. */
	drivingSeconds: number | null;
	/** Checks that could not be made, for the item's output; undefined when every check was made. */
	note?: string;
}

/**
 * What was learnt about each URL in this execution: a batch often gives the same driving video to many
 * characters, and a slow host should cost its 5 s once, not once per item.
 */
const seen = new WeakMap<IExecuteFunctions, Map<string, Promise<unknown>>>();
function once<T>(ctx: IExecuteFunctions, key: string, look: () => Promise<T>): Promise<T> {
	let memo = seen.get(ctx);
	if (!memo) seen.set(ctx, (memo = new Map()));
	if (!memo.has(key)) memo.set(key, look());
	return memo.get(key) as Promise<T>;
}

/**
 * Checks URL inputs before anything is sent: the provider's URL rules (a HEAD on each URL, Runway) and the
 * driving video's 3–30 s, read from its MP4/MOV header with range requests. A rule the URL breaks or a
 * duration out of range refuses the item; a media host that is slow, refuses or ignores ranges leaves that
 * check undone, said in the note.
 */
export async function preflightUrls(
	ctx: IExecuteFunctions,
	i: number,
	{ adapter, signal }: ProviderContext,
	inputs: MediaParams[],
): Promise<UrlPreflight> {
	const notes: string[] = [];
	let drivingSeconds: number | null = null;
	const refuse = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), message, {
			itemIndex: i,
			description: `${description} Nothing was sent to the provider, so no credits were spent.`,
		});
	for (const p of inputs) {
		if (p.source !== 'url') continue;
		const rules = adapter.urlInputRules;
		if (rules) {
			let problems = rules.urlProblems(p.url);
			if (problems.length === 0) {
				const head = await once(
					ctx,
					`HEAD ${p.url}`,
					async () => await headUrl(ctx, p.url, signal),
				);
				if (head.ok) problems = rules.headProblems(head.head, p.type);
				else
					notes.push(
						`${p.label} URL: ${adapter.displayName}'s URL rules were not checked with a HEAD request: ${head.skipped}.`,
					);
			}
			if (problems.length > 0)
				throw refuse(
					`${p.label} URL does not meet ${adapter.displayName}'s rules for input URLs: ${problems.join('; ')}`,
					`${adapter.displayName} would not fetch it.`,
				);
		}
		if (p.role !== 'driving') continue;
		const probe = await once(
			ctx,
			`GET ${p.url}`,
			async () => await probeVideoDuration(ctx, p.url, signal),
		);
		if (probe.seconds === null) {
			notes.push(`${p.label} URL: its length (3–30 s) was not checked: ${probe.skipped}.`);
			continue;
		}
		const problem = drivingDurationProblem(probe.seconds);
		if (problem) throw refuse(problem, 'Read from the video header at its URL.');
		drivingSeconds = probe.seconds;
	}
	return notes.length > 0 ? { drivingSeconds, note: notes.join(' ') } : { drivingSeconds };
}
