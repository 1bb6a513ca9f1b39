import type { IDataObject } from 'n8n-workflow';

/** Own keys JSON can give an object that make it pose as a primitive: String() of it throws or lies. */
const TRAP_KEYS = new Set(['__proto__', 'toString', 'valueOf']);
/** Deeper or larger than any provider's callback: not read further. */
const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

/**
 * Whether a body is something no provider sends: not a JSON object, nested deeper than MAX_DEPTH, or holding
 * an object with a coercion trap anywhere (`{"toString":1}` where a parser expects a string or number).
 * Checked before any parser sees the body, whatever the parsers do with odd values.
 */
export function isForeignBody(body: unknown): boolean {
	if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body))
		return true;
	const stack: Array<{ value: object; depth: number }> = [{ value: body, depth: 0 }];
	let seen = 0;
	while (stack.length > 0) {
		const { value, depth } = stack.pop()!;
		if (depth > MAX_DEPTH || ++seen > MAX_NODES) return true;
		for (const key of Object.keys(value)) {
			if (TRAP_KEYS.has(key)) return true;
			const child = (value as IDataObject)[key];
			if (child !== null && typeof child === 'object')
				stack.push({ value: child as object, depth: depth + 1 });
		}
	}
	return false;
}

/** The opposite of isForeignBody, as a type guard: a JSON object a provider could have sent. */
export const isCallbackBody = (body: unknown): body is IDataObject => !isForeignBody(body);
