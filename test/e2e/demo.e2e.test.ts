/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/** `npm run demo -- --no-wait` end to end (its own n8n and simulator, in a temp folder): the example workflow yields an MP4. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort, REPO_ROOT, resolveRuntime, scratchDir } from '../n8n/instance';

const execFileP = promisify(execFile);

describe('demo (test/n8n/demo.ts --no-wait)', () => {
	const dir = mkdtempSync(join(scratchDir(), 'demo-'));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('renders examples/assets through the example workflow into an MP4 and prints the editor login', async () => {
		const { node } = await resolveRuntime();
		const out = join(dir, 'out');
		const { stdout } = await execFileP(
			node,
			['--import', 'tsx', 'test/n8n/demo.ts', '--no-wait', '--port', String(await freePort())],
			{
				cwd: REPO_ROOT,
				env: {
					...process.env,
					DEMO_DIR: join(dir, 'demo'),
					DEMO_OUTPUT: out,
					RUNWAY_API_KEY: '',
					ACT_TWO_API_KEY: '',
				},
				timeout: 240_000,
				maxBuffer: 16 * 1024 * 1024,
			},
		).catch((error: { stdout?: string; stderr?: string; message: string }) => {
			throw new Error(
				`demo failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`,
			);
		});
		expect(stdout).toMatch(/done: task \S+ succeeded/);
		expect(stdout).toMatch(/Editor: +http:\/\/127\.0\.0\.1:\d+\/workflow\/\w+/);
		expect(stdout).toMatch(/Login: +demo@act-two\.local \/ \S+/);
		const mp4s = readdirSync(out).filter((f) => f.endsWith('.mp4'));
		expect(mp4s).toHaveLength(1);
		const head = readFileSync(join(out, mp4s[0])).subarray(4, 8).toString('latin1');
		expect(head).toBe('ftyp');
	});
});
