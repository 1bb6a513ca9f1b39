/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code reads the source tree */
/**
 * The provider layer's shape, checked on the source: imports point one way (node → actions →
 * providers/transport → core), and no file outside a provider's folder names that provider's id or credential
 * (the registry in providers/index.ts excepted).
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

import { ADAPTER_LIST } from '../../nodes/ActTwo/providers';

const ROOT = resolve(__dirname, '../../nodes');

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sources(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

const FILES = sources(ROOT);
const rel = (path: string) => relative(ROOT, path).split('\\').join('/');

/** Each file's relative imports, resolved to paths under nodes/. */
function imports(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	return [...text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((m) =>
		rel(resolve(dirname(file), m[1])),
	);
}

/** The layer a file under nodes/ belongs to. */
function layer(path: string): string {
	const p = path.replace(/^ActTwo\//, '');
	if (path.startsWith('ActTwoTrigger/')) return 'trigger';
	if (p === 'ActTwo.node') return 'node';
	return p.split('/')[0];
}

/** What each layer may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
	core: [],
	providers: ['core'],
	transport: ['core'],
	actions: ['core', 'providers', 'transport'],
	node: ['actions', 'providers', 'core'],
	trigger: ['actions', 'providers', 'transport', 'core'],
};

describe('architecture', () => {
	it('knows every source folder (a new one needs a place in the layering)', () => {
		const layers = new Set(FILES.map((f) => layer(rel(f).replace(/\.ts$/, ''))));
		for (const l of layers) expect(Object.keys(ALLOWED)).toContain(l);
	});

	it('imports point one way: node → actions → providers/transport → core', () => {
		const wrong: string[] = [];
		for (const file of FILES) {
			const from = layer(rel(file).replace(/\.ts$/, ''));
			for (const target of imports(file)) {
				const to = layer(target);
				if (to !== from && !ALLOWED[from].includes(to))
					wrong.push(`${rel(file)} (${from}) imports ${target} (${to})`);
			}
		}
		expect(wrong).toEqual([]);
	});

	it("one provider's folder does not import another provider's folder (shared code lives in providers/common)", () => {
		const wrong: string[] = [];
		for (const file of FILES.filter((f) => rel(f).startsWith('ActTwo/providers/'))) {
			const own = rel(file).split('/')[2];
			for (const target of imports(file)) {
				const m = /^ActTwo\/providers\/([^/]+)\//.exec(target);
				if (m && m[1] !== own && m[1] !== 'common' && own !== 'index.ts')
					wrong.push(`${rel(file)} imports ${target}`);
			}
		}
		expect(wrong).toEqual([]);
	});

	it("no file outside a provider's folder names its id or credential type (the registry excepted)", () => {
		const wrong: string[] = [];
		for (const adapter of ADAPTER_LIST) {
			const names = [adapter.id, adapter.credentialType];
			for (const file of FILES) {
				const path = rel(file);
				if (path.startsWith(`ActTwo/providers/${adapter.id}/`)) continue;
				if (path === 'ActTwo/providers/index.ts') continue;
				const text = readFileSync(file, 'utf8');
				for (const name of names) {
					// as a string, or as a key of a table per provider ({ runway: … }; not runway:// URIs)
					const key = new RegExp(`(^|[^\\w/.-])${name}\\s*:(?!/)`, 'm');
					if (text.includes(`'${name}'`) || text.includes(`"${name}"`) || key.test(text))
						wrong.push(`${path} names '${name}'`);
				}
			}
		}
		expect(wrong).toEqual([]);
	});

	it('the node offers every registered provider, and each adapter states the data its fields are built from', () => {
		for (const a of ADAPTER_LIST) {
			expect(a.capabilities.models.length).toBeGreaterThan(0);
			for (const model of a.capabilities.models) expect(a.options[model]).toBeDefined();
			for (const model of a.capabilities.callbackRequired)
				expect(a.capabilities.callbacks).toContain(model);
			expect(typeof a.upload === 'function').toBe(a.capabilities.uploads);
			expect(typeof a.cancel === 'function').toBe(a.capabilities.cancel);
			expect(a.limits.seed.min).toBeLessThanOrEqual(a.limits.seed.max);
			expect(a.errors.taskList.length).toBeGreaterThan(10);
		}
	});
});
