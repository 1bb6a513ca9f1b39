/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * `npm run screenshots` (scripts/screenshots.sh builds first): a throw-away n8n with the packed package,
 * the example workflow with both nodes (examples/workflows/callback-with-trigger.json), and PNGs of the
 * canvas, each node's parameter panel and the node panel search in docs/images/ (or --out DIR).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import type { Page } from 'playwright-core';

import {
	packPackage,
	REPO_ROOT,
	startN8n,
	type N8nInstance,
	type WorkflowJson,
} from '../n8n/instance';
import {
	closeNode,
	launchBrowser,
	openEditor,
	openNode,
	openWorkflow,
	searchNodePanel,
	openNodePanelItem,
	openNewWorkflow,
} from './editor';

const CREDENTIAL_TYPES = ['runwayApi', 'useApiNetApi', 'cometApi', 'liangXinApi'];
const SHOWCASE = join(REPO_ROOT, 'examples', 'workflows', 'callback-with-trigger.json');

/** Imports `file` with credentials of every provider attached to the package's nodes; returns the workflow id. */
export async function importShowcase(
	n8n: N8nInstance,
	file = SHOWCASE,
): Promise<{ id: string; workflow: WorkflowJson }> {
	const creds: Record<string, { id: string; name: string }> = {};
	for (const type of CREDENTIAL_TYPES) {
		const name = {
			runwayApi: 'Runway account',
			useApiNetApi: 'useapi.net account',
			cometApi: 'CometAPI account',
			liangXinApi: 'LiangXin account',
		}[type]!;
		// LiangXin publishes no host: its credential has no default base URL
		const data =
			type === 'liangXinApi'
				? { apiKey: 'demo-key-not-real', baseUrl: 'https://liangxin.example.com' }
				: { apiKey: 'demo-key-not-real' };
		const id = await n8n.createCredential(name, type, data);
		creds[type] = { id, name };
	}
	const workflow = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson;
	for (const node of workflow.nodes) {
		if (!node.type.startsWith('n8n-nodes-act-two.') || !node.credentials) continue;
		node.credentials = Object.fromEntries(
			Object.keys(node.credentials).map((type) => [type, creds[type]]),
		);
	}
	return { id: await n8n.importWorkflow(workflow), workflow };
}

export async function captureScreenshots(n8n: N8nInstance, outDir: string): Promise<string[]> {
	mkdirSync(outDir, { recursive: true });
	const { id, workflow } = await importShowcase(n8n);
	const browser = await launchBrowser();
	const files: string[] = [];
	const shot = async (page: Page, name: string) => {
		const file = join(outDir, name);
		await page.screenshot({ path: file });
		files.push(file);
	};
	try {
		const page = await openEditor(browser, n8n);
		await openWorkflow(page, n8n, id);
		await shot(page, 'workflow-canvas.png');
		const names: Array<[string, string]> = [];
		for (const node of workflow.nodes) {
			if (node.type === 'n8n-nodes-act-two.actTwo') names.push([node.name, 'act-two-node.png']);
			if (node.type === 'n8n-nodes-act-two.actTwoTrigger')
				names.push([node.name, 'act-two-trigger-node.png']);
		}
		for (const [name, file] of names) {
			await openNode(page, name);
			await shot(page, file);
			await closeNode(page);
		}
		// the node panel, regular and trigger view (a warning instead if n8n lists no Act-Two)
		for (const [file, fresh] of [
			['node-panel-search.png', false],
			['node-panel-trigger-search.png', true],
		] as const) {
			if (fresh) await openNewWorkflow(page, n8n);
			const items = await searchNodePanel(page, 'Act-Two');
			if (items.some((i) => i.name === 'Act-Two')) {
				// the regular view merges node and trigger into one entry: open it to show the actions
				if (!fresh) await openNodePanelItem(page, 'Act-Two');
				await shot(page, file);
			} else
				console.warn(
					`WARNING: the node panel finds no "Act-Two" (${file} not written): check the nodes' codex categories`,
				);
			await page.keyboard.press('Escape');
		}
	} finally {
		await browser.close();
	}
	return files;
}

async function main() {
	const i = process.argv.indexOf('--out');
	const outDir = i >= 0 ? process.argv[i + 1] : join(REPO_ROOT, 'docs', 'images');
	const n8n = await startN8n({ packageTarball: await packPackage({ build: false }) });
	try {
		const files = await captureScreenshots(n8n, outDir);
		for (const f of files) console.log(`saved ${relative(REPO_ROOT, f)}`);
	} catch (error) {
		console.error(
			`screenshots failed: ${(error as Error).stack}\n----- n8n log tail -----\n${n8n.logTail(30)}`,
		);
		process.exitCode = 1;
	} finally {
		await n8n.destroy();
	}
}

if (require.main === module) void main();
