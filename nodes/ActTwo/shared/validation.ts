import { z } from 'zod';

import { RATIOS } from '../providers/types';
import type { CreateInput, ModelId, ProviderId } from '../providers/types';

export const DRIVING_SECONDS = { min: 3, max: 30 };

/** Per-provider limits that differ from Runway's (providers.md §1.2, §2.1). */
const SEED_MAX: Record<ProviderId, number> = {
	runway: 4294967295,
	comet: 4294967295,
	liangxin: 4294967295,
	useapi: 2147483647,
};
const SEED_MIN: Record<ProviderId, number> = { runway: 0, comet: 0, liangxin: 0, useapi: 1 };

export interface CreateOptions {
	ratio?: string;
	bodyControl?: boolean;
	expressionIntensity?: number;
	seed?: number;
	publicFigureThreshold?: string;
	exploreMode?: boolean;
	maxJobs?: number;
	replyRef?: string;
	callbackUrl?: string;
}

const urlField = z
	.string()
	.trim()
	.url()
	.max(1024, 'must be at most 1024 characters')
	.refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

function optionsSchema(provider: ProviderId, model: ModelId) {
	const seedRange = `${SEED_MIN[provider]}–${SEED_MAX[provider]}`;
	return z
		.object({
			ratio: z
				.enum(RATIOS, { errorMap: () => ({ message: `must be one of ${RATIOS.join(', ')}` }) })
				.optional(),
			bodyControl: z.boolean().optional(),
			expressionIntensity: z
				.number({ invalid_type_error: 'must be a whole number from 1 to 5' })
				.int('must be a whole number from 1 to 5')
				.min(1, 'must be a whole number from 1 to 5')
				.max(5, 'must be a whole number from 1 to 5')
				.optional(),
			seed: z
				.number({ invalid_type_error: `must be a whole number from ${seedRange}` })
				.int(`must be a whole number from ${seedRange}`)
				.min(SEED_MIN[provider], `must be a whole number from ${seedRange}`)
				.max(SEED_MAX[provider], `must be a whole number from ${seedRange}`)
				.optional(),
			publicFigureThreshold: z
				.enum(['auto', 'low'], { errorMap: () => ({ message: 'must be "auto" or "low"' }) })
				.optional(),
			exploreMode: z.boolean().optional(),
			maxJobs: z
				.number()
				.int('must be a whole number from 1 to 10')
				.min(1, 'must be a whole number from 1 to 10')
				.max(10, 'must be a whole number from 1 to 10')
				.optional(),
			replyRef: z.string().max(1024, 'must be at most 1024 characters').optional(),
			callbackUrl: urlField.optional(),
		})
		.superRefine((o, ctx) => {
			if (model === 'act_one' && o.ratio && o.ratio !== '1280:720') {
				ctx.addIssue({
					code: 'custom',
					path: ['ratio'],
					message: 'must be 1280:720 (16:9): CometAPI Act-One takes 16:9 only',
				});
			}
		});
}

export const FIELD_LABELS: Record<string, string> = {
	ratio: 'Ratio',
	bodyControl: 'Body Control',
	expressionIntensity: 'Expression Intensity',
	seed: 'Seed',
	publicFigureThreshold: 'Public Figure Threshold',
	exploreMode: 'Explore Mode',
	maxJobs: 'Max Jobs',
	replyRef: 'Reply Reference',
	callbackUrl: 'Callback URL',
};

/** Returns the validated options, or a list of "Field: problem" messages. */
export function validateCreateOptions(
	provider: ProviderId,
	model: ModelId,
	raw: CreateOptions,
): { ok: true; value: Partial<CreateInput> } | { ok: false; problems: string[] } {
	const cleaned = Object.fromEntries(
		Object.entries(raw).filter(([, v]) => v !== '' && v !== undefined && v !== null),
	);
	const result = optionsSchema(provider, model).safeParse(cleaned);
	if (result.success) return { ok: true, value: result.data as Partial<CreateInput> };
	return {
		ok: false,
		problems: result.error.issues.map(
			(i) => `${FIELD_LABELS[String(i.path[0])] ?? String(i.path[0])} ${i.message}`,
		),
	};
}

export function drivingDurationProblem(seconds: number | null): string | null {
	if (seconds === null) return null;
	if (seconds < DRIVING_SECONDS.min || seconds > DRIVING_SECONDS.max) {
		return `Driving Video must last ${DRIVING_SECONDS.min}–${DRIVING_SECONDS.max} seconds; this one lasts ${seconds.toFixed(1)} s`;
	}
	return null;
}
