import { z } from 'zod';

import { MODEL_NAMES, RATIOS } from '../../core/types';
import type { CreateInput, ModelId, ProviderAdapter } from '../../core/types';

export const DRIVING_SECONDS = { min: 3, max: 30 };

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

function optionsSchema(adapter: ProviderAdapter, model: ModelId) {
	const seed = adapter.limits.seed;
	const seedRange = `${seed.min}–${seed.max}`;
	const ratios = adapter.limits.ratios?.[model];
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
				.min(seed.min, `must be a whole number from ${seedRange}`)
				.max(seed.max, `must be a whole number from ${seedRange}`)
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
			if (ratios && o.ratio && !ratios.includes(o.ratio)) {
				ctx.addIssue({
					code: 'custom',
					path: ['ratio'],
					message: `must be ${ratios.join(' or ')}: ${adapter.displayName} ${MODEL_NAMES[model]} takes no other`,
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
	adapter: ProviderAdapter,
	model: ModelId,
	raw: CreateOptions,
): { ok: true; value: Partial<CreateInput> } | { ok: false; problems: string[] } {
	const cleaned = Object.fromEntries(
		Object.entries(raw).filter(([, v]) => v !== '' && v !== undefined && v !== null),
	);
	const taken: readonly string[] = adapter.options[model] ?? [];
	// An option the provider does not take is refused, never dropped: the user set it for a reason.
	const untaken = Object.keys(cleaned)
		.filter((name) => name !== 'callbackUrl' && !taken.includes(name))
		.map(
			(name) =>
				`${FIELD_LABELS[name] ?? name} is not taken by ${adapter.displayName} ${MODEL_NAMES[model]}: remove it`,
		);
	const result = optionsSchema(adapter, model).safeParse(cleaned);
	const problems = [
		...untaken,
		...(result.success
			? []
			: result.error.issues.map(
					(i) => `${FIELD_LABELS[String(i.path[0])] ?? String(i.path[0])} ${i.message}`,
				)),
	];
	if (problems.length === 0 && result.success)
		return { ok: true, value: result.data as Partial<CreateInput> };
	return { ok: false, problems };
}

export function drivingDurationProblem(seconds: number | null): string | null {
	if (seconds === null) return null;
	if (seconds < DRIVING_SECONDS.min || seconds > DRIVING_SECONDS.max) {
		return `Driving Video must last ${DRIVING_SECONDS.min}–${DRIVING_SECONDS.max} seconds; this one lasts ${seconds.toFixed(1)} s`;
	}
	return null;
}
