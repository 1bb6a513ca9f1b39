/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/** What every benchmark hands back to run.ts, and the little formatting they share. */
import { cpus, loadavg, totalmem } from 'node:os';

export interface SummaryRow {
	metric: string;
	ours: string;
	baseline: string;
	/** How many times better ours is, formatted: baseline / ours for costs (time, reads, bytes), ours / baseline for rates. */
	ratio: string;
	/** The target for this figure, in words ("ratio >= 0.90", "<= 64.0 MiB"); none when the row only informs. */
	target?: string;
	/** Whether the target is met (only with a target). */
	met?: boolean;
}

export interface BenchOutcome {
	name: string;
	/** false when a result was WRONG (a task not finished, bytes mismatch), never because of timing. */
	ok: boolean;
	problems: string[];
	summary: SummaryRow[];
	/** Set when the benchmark did not run, with why (e.g. the flag it needs). */
	skipped?: string;
}

export const fmtMs = (ms: number): string =>
	ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

export const fmtMiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export const fmtRatio = (r: number): string =>
	Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x` : 'n/a';

/** Prints a plain fixed-width table. */
export function printTable(header: string[], rows: string[][]): void {
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ');
	console.log(line(header));
	console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
	for (const r of rows) console.log(line(r));
}

/** Where the figures were measured: benchmarks on a shared machine are only comparable within one run. */
export function environment(): string {
	const load = loadavg()
		.map((l) => l.toFixed(2))
		.join(' ');
	const cpu = cpus();
	return `node ${process.version}, ${cpu.length} CPU(s) (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, load average ${load}`;
}
