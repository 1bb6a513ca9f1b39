import type { IDataObject } from 'n8n-workflow';

import { classifyFailure } from '../../core/errors';
import { mapRunwayStatus } from './status';
import { asObject, asString, failureOf, makeTask, parseProgress, toIso, urlList } from './task';
import type { CreateInput, MediaRef, NormalizedTask, ProviderId } from '../../core/types';

export const RUNWAY_VERSION = '2024-11-06';

function uriOf(ref: MediaRef): string {
	if (ref.kind !== 'uri') throw new Error('Runway-format APIs take URIs, not asset IDs.');
	return ref.uri;
}

/** The body of POST /v1/character_performance, shared by Runway and CometAPI's Runway-format route. */
export function runwayCreateBody(input: CreateInput): IDataObject {
	const body: IDataObject = {
		model: 'act_two',
		character: { type: input.character.type, uri: uriOf(input.character) },
		reference: { type: 'video', uri: uriOf(input.reference) },
	};
	if (input.ratio !== undefined) body.ratio = input.ratio;
	if (input.bodyControl !== undefined) body.bodyControl = input.bodyControl;
	if (input.expressionIntensity !== undefined) body.expressionIntensity = input.expressionIntensity;
	if (input.seed !== undefined) body.seed = input.seed;
	if (input.publicFigureThreshold !== undefined) {
		body.contentModeration = { publicFigureThreshold: input.publicFigureThreshold };
	}
	return body;
}

/** A Runway-native task object (Runway, and CometAPI's native variant). */
export function parseRunwayTask(
	provider: ProviderId,
	body: unknown,
	raw: unknown = body,
): NormalizedTask {
	const t = asObject(body);
	const status = mapRunwayStatus(t.status);
	const failure =
		status === 'failed' ? classifyFailure(asString(t.failureCode), asString(t.failure)) : null;
	return makeTask(provider, 'act_two', asString(t.id) ?? '', status, raw, {
		progress: status === 'running' ? parseProgress(t.progress) : undefined,
		outputs: urlList(t.output).map((url) => ({ url })),
		error: failureOf(status, failure),
		createdAt: toIso(t.createdAt),
		updatedAt: toIso(t.updatedAt),
	});
}
