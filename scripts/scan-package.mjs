// Runs the lint legs of n8n's community-package scanner (@n8n/scan-community-package) on local directories,
// exactly as its analyzePackageByName() runs them on the attested source checkout and the downloaded tarball.
// Started by scripts/scan-package.sh, which installs the scanner and packs the package; by hand:
//   node scripts/scan-package.mjs --scanner <.../scanner/scanner.mjs> [--source <dir>] [--artifact <dir>]
// Exit status 1 when a leg fails (ESLint errors, an analysis error, or no files to lint), 2 on bad usage.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
	options: {
		scanner: { type: 'string' },
		source: { type: 'string' },
		artifact: { type: 'string' },
	},
});
if (!args.scanner || (!args.source && !args.artifact)) {
	process.stderr.write(
		'usage: scan-package.mjs --scanner <scanner.mjs> [--source <dir>] [--artifact <dir>]\n',
	);
	process.exit(2);
}

const scanner = await import(pathToFileURL(path.resolve(args.scanner)).href);
const scannerPackage = JSON.parse(
	readFileSync(path.resolve(path.dirname(args.scanner), '..', 'package.json'), 'utf8'),
);
// The scanner's own fast-glob, with the options analyzePackage() uses, only to report what a leg covers.
const glob = createRequire(path.resolve(args.scanner))('fast-glob');
const countFiles = (dir, patterns) =>
	glob.sync(patterns, { cwd: dir, ignore: ['node_modules/**', '**/package-lock.json'] }).length;

const out = (line = '') => process.stdout.write(`${line}\n`);
out(`${scannerPackage.name}@${scannerPackage.version}`);

const legs = [];
if (args.source) {
	legs.push({ name: 'source leg', dir: args.source, patterns: scanner.SOURCE_FILE_PATTERNS });
}
if (args.artifact) {
	legs.push({ name: 'artifact leg', dir: args.artifact, patterns: ['**/*.js', 'package.json'] });
}

let failed = 0;
for (const { name, dir, patterns } of legs) {
	const files = countFiles(dir, patterns);
	out(`\n${name}: analyzePackage(${dir}, ${JSON.stringify(patterns)}), ${files} files`);
	const started = Date.now();
	const result = await scanner.analyzePackage(dir, patterns);
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	// The scanner passes a leg with no files; here that means a missing build or a wrong path, not a clean package.
	if (result.passed && files > 0) {
		out(`✅ ${name} passed (${seconds} s)`);
		continue;
	}
	failed++;
	out(`❌ ${name} failed (${seconds} s): ${result.message ?? 'no files to analyze'}`);
	if (result.details) out(result.details);
}

// Not the scanner's: the tarball holds only what the package ships (n8n-node build copies every PNG of the repo).
if (args.artifact) {
	const shipped =
		/^(package\.json|README\.md|LICENSE(\.md)?|dist\/package\.json|dist\/(nodes|credentials|icons|examples)\/.+)$/;
	const unexpected = glob
		.sync(['**/*'], { cwd: args.artifact, dot: true })
		.filter((f) => !shipped.test(f));
	if (unexpected.length === 0) {
		out(
			`\n✅ tarball contents: only package.json, README, LICENSE and dist/{nodes,credentials,icons,examples}`,
		);
	} else {
		failed++;
		out(`\n❌ tarball contents: files the package should not ship:\n  ${unexpected.join('\n  ')}`);
	}
}

// What the scanner does with the source checkout before linting it: find the package.json naming this package.
if (args.source) {
	const { name } = JSON.parse(readFileSync(path.join(args.source, 'package.json'), 'utf8'));
	const found = scanner.findPackageRoot(args.source, name);
	if (found && path.resolve(found) === path.resolve(args.source)) {
		out(`\n✅ source root: findPackageRoot() finds ${name} at the repository root`);
	} else {
		failed++;
		out(
			`\n❌ source root: findPackageRoot() finds ${name} at ${found ?? 'no package.json'}, not the repository root`,
		);
	}
}

out(failed ? `\n❌ ${failed} check(s) failed` : '\n✅ all checks passed');
process.exit(failed ? 1 : 0);
