export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Awaits a promise and returns its outcome as a value, so callers branch on failures without catch-and-rethrow. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	return await promise.then(
		(value) => ({ ok: true as const, value }),
		(error: unknown) => ({
			ok: false as const,
			error: error instanceof Error ? error : new Error(String(error)),
		}),
	);
}
