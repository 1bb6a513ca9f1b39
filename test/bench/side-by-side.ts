/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * What the side-by-side benchmarks (batch-wait, per-item overhead) share: each contender runs in a child
 * process of its own (so its memory and CPU time are its own, and the simulator's are not counted), started
 * as `node --import tsx <file> --child <mode>` with its config in the environment, reporting one JSON line.
 */
import { spawn } from 'node:child_process';

const RESULT_PREFIX = 'BENCH_RESULT ';
const CONFIG_ENV = 'ACT_TWO_BENCH_CONFIG';

/** The mode this process was started in as a child, or null in the parent. */
export const childMode = (): string | null => {
	const at = process.argv.indexOf('--child');
	return at >= 0 ? (process.argv[at + 1] ?? null) : null;
};

export const childConfig = <T>(): T => JSON.parse(process.env[CONFIG_ENV] ?? '{}') as T;

export const report = (result: unknown): void =>
	console.log(RESULT_PREFIX + JSON.stringify(result));

/**
 * Runs `file` as a child in `mode` with `config`; resolves with what it reported. `throughShell`: started by a
 * shell that forks it in turn, so its maxRSS starts from the shell's small memory, not its parent's (on Linux a
 * forked process keeps its parent's maxRSS through exec; see child.ts).
 */
export function runSide<R>(
	file: string,
	mode: string,
	config: unknown,
	timeoutMs: number,
	{ throughShell = false }: { throughShell?: boolean } = {},
): Promise<R> {
	const args = [process.execPath, '--import', 'tsx', file, '--child', mode];
	// "; exit" keeps the shell from exec-ing the child in its own place.
	const [command, ...rest] =
		throughShell && process.platform !== 'win32'
			? ['/bin/sh', '-c', '"$0" "$@"; exit $?', ...args]
			: args;
	return new Promise((resolve, reject) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- one Node process per contender keeps its memory and CPU figures its own
		const child = spawn(command, rest, {
			env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		let err = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
		child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (!line) {
				reject(
					new Error(
						`child "${mode}" ended (code ${code}, signal ${signal}) without a result:\n${out.slice(-2000)}\n${err.slice(-2000)}`.trim(),
					),
				);
				return;
			}
			resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as R);
		});
	});
}

/** Samples this process's RSS and heap every `everyMs` until stopped; the peaks above the floor at start. */
export function memorySampler(everyMs = 50) {
	const floor = process.memoryUsage();
	let peakRss = floor.rss;
	let peakHeap = floor.heapUsed;
	const sample = () => {
		const m = process.memoryUsage();
		peakRss = Math.max(peakRss, m.rss);
		peakHeap = Math.max(peakHeap, m.heapUsed);
	};
	const timer = setInterval(sample, everyMs);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return {
				floorRssMiB: floor.rss / 2 ** 20,
				peakRssMiB: peakRss / 2 ** 20,
				rssAboveFloorMiB: (peakRss - floor.rss) / 2 ** 20,
				heapAboveFloorMiB: (peakHeap - floor.heapUsed) / 2 ** 20,
			};
		},
	};
}

export type MemoryFigures = ReturnType<ReturnType<typeof memorySampler>['stop']>;

/** A minimal worker pool: `fn` over `items`, at most `concurrency` at once (what a hand-written client does). */
export async function pool<T, R>(
	items: readonly T[],
	concurrency: number,
	fn: (item: T) => Promise<R>,
): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(concurrency, items.length) }, async () => {
			while (next < items.length) {
				const k = next++;
				out[k] = await fn(items[k]);
			}
		}),
	);
	return out;
}

export const median = (xs: number[]): number => {
	const s = [...xs].sort((a, b) => a - b);
	if (s.length === 0) return NaN;
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const quantile = (xs: number[], q: number): number => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] : NaN;
};
