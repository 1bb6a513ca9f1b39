/** Runs fn over items with at most `concurrency` in flight, keeping results in input order. */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	concurrency: number,
	fn: (item: T, index: number) => Promise<R>,
	shouldStop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
	const results: Array<R | undefined> = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length && !shouldStop()) {
			const index = next++;
			results[index] = await fn(items[index], index);
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
	await Promise.all(workers);
	return results;
}
