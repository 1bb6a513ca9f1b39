import type { FaultRule, AnySimProvider } from './types';

interface ActiveRule {
	rule: FaultRule;
	remaining: number;
}

function pathMatches(rule: FaultRule, relPath: string, fullPath: string): boolean {
	const p = rule.path;
	if (p === undefined) return true;
	if (p instanceof RegExp) return p.test(relPath) || p.test(fullPath);
	return [relPath, fullPath].some((x) => x === p || x.startsWith(p));
}

/** Turns the JSON form used over HTTP (path as string, or pathRegex) into a FaultRule. */
export function faultFromJson(input: unknown): FaultRule {
	if (!input || typeof input !== 'object') throw new Error('fault rule must be an object');
	const o = { ...(input as Record<string, unknown>) };
	const kinds = [
		'status',
		'rate_limit',
		'server_error',
		'delay',
		'drop',
		'malformed_json',
		'task_not_exist',
	];
	if (typeof o.kind !== 'string' || !kinds.includes(o.kind))
		throw new Error('fault kind must be one of ' + kinds.join(', '));
	if (typeof o.pathRegex === 'string') {
		o.path = new RegExp(o.pathRegex);
		delete o.pathRegex;
	}
	return o as unknown as FaultRule;
}

export function faultToJson(rule: FaultRule): Record<string, unknown> {
	const { path, ...rest } = rule;
	return path instanceof RegExp ? { ...rest, pathRegex: path.source } : { ...rest, path };
}

/** Fault rules, consumed in the order they were added. */
export class FaultRegistry {
	private rules: ActiveRule[] = [];

	add(rule: FaultRule): void {
		const times = rule.times === undefined || rule.times === null ? Infinity : rule.times;
		this.rules.push({ rule, remaining: times });
	}

	clear(): void {
		this.rules = [];
	}

	list(): FaultRule[] {
		return this.rules.map((r) => ({
			...r.rule,
			times: r.remaining === Infinity ? undefined : r.remaining,
		}));
	}

	/**
	 * The first live rule matching the request, consumed once. task_not_exist rules are only taken when
	 * asked for (the Comet task reads ask for them); the others apply to every provider route.
	 */
	take(
		provider: AnySimProvider | null,
		method: string,
		relPath: string,
		fullPath: string,
		kind: 'generic' | 'task_not_exist',
		accept: (rule: FaultRule) => boolean = () => true,
	): FaultRule | null {
		for (const active of this.rules) {
			const { rule } = active;
			if (active.remaining <= 0) continue;
			if ((rule.kind === 'task_not_exist') !== (kind === 'task_not_exist')) continue;
			if (rule.provider && rule.provider !== provider) continue;
			if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
			if (!pathMatches(rule, relPath, fullPath)) continue;
			if (!accept(rule)) continue;
			active.remaining -= 1;
			this.rules = this.rules.filter((r) => r.remaining > 0);
			return rule;
		}
		return null;
	}
}
