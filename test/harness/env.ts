/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Process environment for n8n-core, set before any n8n-core service is constructed: `@n8n/config` classes
 * read `process.env` when `Container.get()` first builds them. Imported first by `engine.ts`.
 * Everything lives in one temp dir per process (instance settings, binary data).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const HARNESS_TMP_DIR = mkdtempSync(path.join(tmpdir(), 'act-two-harness-'));

const defaults: Record<string, string> = {
	N8N_USER_FOLDER: HARNESS_TMP_DIR,
	N8N_ENCRYPTION_KEY: 'act-two-harness-encryption-key',
	N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
	N8N_BINARY_DATA_STORAGE_PATH: path.join(HARNESS_TMP_DIR, 'binaryData'),
	N8N_LOG_LEVEL: 'silent',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
};
for (const [key, value] of Object.entries(defaults)) {
	process.env[key] ??= value;
}
