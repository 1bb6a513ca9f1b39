/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Drives n8n's editor with playwright-core and Debian's chromium (no browser download):
 * log in, open a workflow, open a node's parameter panel, search the node panel, take screenshots.
 * Used by test/e2e/editor.e2e.test.ts and scripts/screenshots.sh (test/e2e/screenshots.ts).
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

import type { N8nInstance } from '../n8n/instance';

export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

export function chromiumPath(): string | undefined {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
	return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Whether the editor tests can run here (chromium present and not switched off with ACT_TWO_E2E_BROWSER=0). */
export function browserAvailable(): boolean {
	return process.env.ACT_TWO_E2E_BROWSER !== '0' && !!chromiumPath();
}

export async function launchBrowser(): Promise<Browser> {
	const executablePath = chromiumPath();
	if (!executablePath)
		throw new Error('chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');
	return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/** A page logged into the editor as the instance owner (through the sign-in form). */
export async function openEditor(
	browser: Browser,
	n8n: N8nInstance,
	viewport = { width: 1440, height: 900 },
): Promise<Page> {
	const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
	const page = await context.newPage();
	page.setDefaultTimeout(30_000);
	await page.goto(`${n8n.baseUrl}/signin`, { waitUntil: 'domcontentloaded' });
	await page
		.locator('input[name="emailOrLdapLoginId"], input[type="email"]')
		.first()
		.fill(n8n.owner.email);
	await page
		.locator('input[name="password"], input[type="password"]')
		.first()
		.fill(n8n.owner.password);
	await page.locator('[data-test-id="form-submit-button"], button[type="submit"]').first().click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	await dismissPopups(page);
	return page;
}

/** Closes the occasional modal / toast that covers the canvas on a fresh instance. */
export async function dismissPopups(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) {
		const modalClose = page
			.locator('.el-dialog__headerbtn:visible, [data-test-id="close-button"]:visible')
			.first();
		if (await modalClose.isVisible().catch(() => false))
			await modalClose.click().catch(() => undefined);
		await page.keyboard.press('Escape').catch(() => undefined);
	}
}

export async function openWorkflow(
	page: Page,
	n8n: N8nInstance,
	workflowId: string,
): Promise<void> {
	await page.goto(`${n8n.baseUrl}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded' });
	await page
		.locator('[data-test-id="canvas-node"]')
		.first()
		.waitFor({ state: 'visible', timeout: 60_000 });
	await page.waitForTimeout(800); // fit-view animation
	await dismissPopups(page);
}

export function canvasNode(page: Page, name: string): Locator {
	return page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).first();
}

/** Opens a node's parameter panel (NDV) by double-clicking it on the canvas; returns the panel. */
export async function openNode(page: Page, name: string): Promise<Locator> {
	await canvasNode(page, name).dblclick();
	const ndv = page.locator('[data-test-id="ndv"]').first();
	await ndv.waitFor({ state: 'visible' });
	await page.locator('[data-test-id="node-parameters"]').first().waitFor({ state: 'visible' });
	await page.waitForTimeout(600); // panel transition, icons
	return ndv;
}

export async function closeNode(page: Page): Promise<void> {
	const back = page.locator('[data-test-id="back-to-canvas"]').first();
	if (await back.isVisible().catch(() => false)) await back.click();
	else await page.keyboard.press('Escape');
	await page
		.locator('[data-test-id="ndv"]')
		.first()
		.waitFor({ state: 'hidden', timeout: 10_000 })
		.catch(() => undefined);
}

export interface NodePanelItem {
	/** As the panel shows it (n8n drops " Trigger" in the trigger view). */
	name: string;
	description: string;
	/** The icon element's source (an /icons/... URL for package nodes), or null. */
	iconSrc: string | null;
	/** The icon image decoded in the browser (naturalWidth > 0). */
	iconLoaded: boolean;
}

/**
 * Opens the node panel (node creator) and searches `query`; lists the items shown (nodes and action groups).
 * On an empty workflow (`/workflow/new`) the panel is the trigger view ("What triggers this workflow?"),
 * otherwise the regular one ("What happens next?").
 */
export async function searchNodePanel(page: Page, query: string): Promise<NodePanelItem[]> {
	const search = page.locator('[data-test-id="node-creator-search-bar"]').first();
	if (!(await search.isVisible().catch(() => false))) {
		const plus = page
			.locator('[data-test-id="node-creator-plus-button"], [data-test-id="canvas-add-button"]')
			.first();
		if (await plus.isVisible().catch(() => false)) await plus.click();
		else await page.keyboard.press('Tab');
	}
	await search.waitFor({ state: 'visible' });
	await search.fill(query);
	await page
		.locator(
			'[data-test-id="node-creator"] [data-test-id="item-iterator-item"], [data-test-id="node-creator-no-results"]',
		)
		.first()
		.waitFor({ state: 'visible' });
	await page.waitForTimeout(1000); // debounce + icons
	return await page
		.locator('[data-test-id="node-creator"] [data-test-id="item-iterator-item"]')
		.evaluateAll((els) =>
			els
				.map((el) => {
					const title = el.querySelector('[data-test-id="node-creator-item-name"]');
					const description = el.querySelector('[data-test-id="node-creator-item-description"]');
					const img = el.querySelector('img');
					return {
						name: (title?.textContent ?? '').trim(),
						description: (description?.textContent ?? '').trim(),
						iconSrc: img?.getAttribute('src') ?? null,
						iconLoaded: !!img && img.complete && img.naturalWidth > 0,
					};
				})
				.filter((i) => i.name !== ''),
		);
}

/** Clicks a node-panel entry and returns the text of the panel it opens (a service's Actions and Triggers). */
export async function openNodePanelItem(page: Page, name: string): Promise<string> {
	await page
		.locator('[data-test-id="node-creator"] [data-test-id="item-iterator-item"]')
		.filter({ has: page.locator('[data-test-id="node-creator-item-name"]', { hasText: name }) })
		.first()
		.click();
	await page.waitForTimeout(1000);
	return await page.locator('[data-test-id="node-creator"]').first().innerText();
}

/** Opens a new, empty workflow in the editor. */
export async function openNewWorkflow(page: Page, n8n: N8nInstance): Promise<void> {
	await page.goto(`${n8n.baseUrl}/workflow/new`, { waitUntil: 'domcontentloaded' });
	await page
		.locator('[data-test-id="canvas-add-button"], [data-test-id="node-creator-plus-button"]')
		.first()
		.waitFor({ state: 'visible', timeout: 60_000 });
	await page.waitForTimeout(500);
	await dismissPopups(page);
}
