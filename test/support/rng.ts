/**
 * mulberry32: a small seeded PRNG, so a fuzz or property test draws the same cases on every run (and a failing
 * seed can be replayed).
 */
export function rng(seed: number) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return {
		next,
		between: (lo: number, hi: number) => lo + next() * (hi - lo),
		int: (n: number) => Math.floor(next() * n),
		pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
	};
}

export type Rng = ReturnType<typeof rng>;
