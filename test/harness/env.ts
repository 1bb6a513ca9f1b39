/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Process environment for the n8n-core services the harness builds. `@n8n/config` classes read `process.env`
 * when `Container.get()` first constructs them, so `initHarness()` constructs them inside `withHarnessEnv()`,
 * which sets these variables and restores the previous values afterwards (nothing leaks into child
 * processes that other tests spawn, and a developer's own N8N_USER_FOLDER is never touched).
 * Everything lives in one temp dir per test file (instance settings, binary data), removed at process exit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const HARNESS_TMP_DIR = mkdtempSync(path.join(tmpdir(), 'act-two-harness-'));
const cleanUp = () => {
	try {
		rmSync(HARNESS_TMP_DIR, { recursive: true, force: true });
	} catch {
		// best effort
	}
};
// Under jest, remove the dir after the test file (as n8n's NodeTestHarness does); elsewhere at process exit.
const jestAfterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
if (typeof jestAfterAll === 'function') jestAfterAll(cleanUp);
else process.once('exit', cleanUp);

export const HARNESS_ENV: Readonly<Record<string, string>> = {
	N8N_USER_FOLDER: HARNESS_TMP_DIR,
	N8N_ENCRYPTION_KEY: 'act-two-harness-encryption-key',
	N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
	N8N_BINARY_DATA_STORAGE_PATH: path.join(HARNESS_TMP_DIR, 'binaryData'),
	N8N_LOG_LEVEL: 'silent',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
};

/** Runs `fn` with HARNESS_ENV applied to process.env, then restores the previous values. */
export function withHarnessEnv<T>(fn: () => T): T {
	const saved: Record<string, string | undefined> = {};
	for (const [key, value] of Object.entries(HARNESS_ENV)) {
		saved[key] = process.env[key];
		process.env[key] = value;
	}
	try {
		return fn();
	} finally {
		for (const [key, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[key];
			else process.env[key] = value;
		}
	}
}
