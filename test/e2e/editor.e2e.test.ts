/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/** The package in n8n's editor (chromium): the node panel lists both nodes with their icons, and both parameter panels open. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { REPO_ROOT } from '../n8n/instance';
import { loadE2e, type E2eContext } from './context';
import {
	browserAvailable,
	closeNode,
	launchBrowser,
	openEditor,
	openNode,
	openWorkflow,
	searchNodePanel,
	openNodePanelItem,
	openNewWorkflow,
	type NodePanelItem,
} from './editor';
import { importShowcase } from './screenshots';

const run = browserAvailable();
if (!run)
	console.warn(
		'editor e2e tests SKIPPED: no chromium (apt-get install -y chromium) or ACT_TWO_E2E_BROWSER=0',
	);
const describeEditor = run ? describe : describe.skip;
const shots = process.env.ACT_TWO_E2E_SHOTS ?? join(REPO_ROOT, 'test-results', 'editor');

describeEditor('n8n editor (chromium)', () => {
	let ctx: E2eContext;
	let browser: Browser;
	let page: Page;

	beforeAll(async () => {
		ctx = await loadE2e();
		if (!ctx.info.package.installed)
			throw new Error('the e2e run was started without the package (ACT_TWO_E2E_PACKAGE=0)');
		mkdirSync(shots, { recursive: true });
		browser = await launchBrowser();
		page = await openEditor(browser, ctx.n8n);
	});

	afterAll(async () => {
		await browser?.close();
	});

	afterEach(async () => {
		const name = expect.getState().currentTestName?.replace(/[^a-z0-9]+/gi, '-') ?? 'test';
		await page?.screenshot({ path: join(shots, `${name}.png`) }).catch(() => undefined);
	});

	it('lists Act-Two and Act-Two Trigger in the node panel, with their icons', async () => {
		const types = (
			await ctx.n8n.rest<Array<{ name: string; description: string }>>(
				'GET',
				'/types/nodes.json',
				undefined,
				{ raw: true },
			)
		).body;
		const describe = (name: string) =>
			types.find((t) => t.name === `n8n-nodes-act-two.${name}`)?.description;
		const check = async (
			items: NodePanelItem[],
			expectedDescriptions: Array<string | undefined>,
		) => {
			const item = items.find(
				(i) => i.name === 'Act-Two' && expectedDescriptions.includes(i.description),
			);
			expect({ found: !!item, shown: items.map((i) => `${i.name}: ${i.description}`) }).toEqual(
				expect.objectContaining({ found: true }),
			);
			expect(item!.iconSrc).toMatch(/n8n-nodes-act-two/);
			expect(item!.iconLoaded).toBe(true);
			const icon = await fetch(new URL(item!.iconSrc!, ctx.n8n.baseUrl));
			expect(icon.status).toBe(200);
			expect(icon.headers.get('content-type')).toMatch(/image\/svg\+xml|image\/png/);
		};

		// regular view ("What happens next?"): n8n merges a node and its trigger into one "Act-Two" entry
		// (as for its own services) whose panel lists the operations as actions and the trigger
		const { id } = await importShowcase(ctx.n8n);
		await openWorkflow(page, ctx.n8n, id);
		await check(await searchNodePanel(page, 'Act-Two'), [
			describe('actTwo'),
			describe('actTwoTrigger'),
		]);
		const actions = await openNodePanelItem(page, 'Act-Two');
		for (const action of ['Create a character performance', 'Wait for a task', 'Upload a file']) {
			expect(actions).toContain(action);
		}
		await page.screenshot({ path: join(shots, 'node-panel-regular.png') });
		await page.keyboard.press('Escape');

		// trigger view ("What triggers this workflow?") of an empty workflow: the trigger (shown as "Act-Two")
		await openNewWorkflow(page, ctx.n8n);
		await check(await searchNodePanel(page, 'Act-Two'), [describe('actTwoTrigger')]);
		await page.screenshot({ path: join(shots, 'node-panel-trigger.png') });
		await page.keyboard.press('Escape');
	});

	it("opens each node's parameter panel", async () => {
		const { id, workflow } = await importShowcase(ctx.n8n);
		await openWorkflow(page, ctx.n8n, id);
		const nodes = workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-act-two.'));
		expect(nodes.map((n) => n.type).sort()).toEqual([
			'n8n-nodes-act-two.actTwo',
			'n8n-nodes-act-two.actTwoTrigger',
		]);
		for (const node of nodes) {
			const ndv = await openNode(page, node.name);
			await page.screenshot({ path: join(shots, `panel-${node.name.replace(/\W+/g, '-')}.png`) });
			const text = await ndv.innerText();
			expect(text).toMatch(/Parameters/);
			expect(text).toMatch(/Credential/);
			expect(text).toMatch(node.type.endsWith('Trigger') ? /Webhook URLs/i : /Operation/);
			expect(text).not.toMatch(/Install this node to use it|node is not currently installed/i);
			await closeNode(page);
		}
	});
});
