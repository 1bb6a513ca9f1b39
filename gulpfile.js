/**
 * Asset pipeline run after `n8n-node build` (which compiles TypeScript and copies icons):
 * drops what that copy swept in by mistake, and ships the example workflows and demo assets inside the
 * package, after checking that every workflow parses and only uses node types this package or n8n core provides.
 */
const { src, dest, series } = require('gulp');
const { Transform } = require('stream');
const path = require('path');
const pkg = require('./package.json');

const ownTypes = new Set(
	pkg.n8n.nodes.map((file) => {
		const name = path.basename(file, '.node.js');
		return `${pkg.name}.${name.charAt(0).toLowerCase()}${name.slice(1)}`;
	}),
);

function checkWorkflows() {
	return new Transform({
		objectMode: true,
		transform(file, _enc, done) {
			let workflow;
			try {
				workflow = JSON.parse(file.contents.toString('utf8'));
			} catch (error) {
				return done(new Error(`${file.relative}: not valid JSON (${error.message})`));
			}
			if (!Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') {
				return done(new Error(`${file.relative}: a workflow needs "nodes" and "connections"`));
			}
			for (const node of workflow.nodes) {
				const ok = node.type.startsWith('n8n-nodes-base.') || node.type.startsWith('@n8n/') || ownTypes.has(node.type);
				if (!ok) return done(new Error(`${file.relative}: node "${node.name}" has unknown type ${node.type}`));
			}
			done(null, file);
		},
	});
}

const workflows = () => src('examples/workflows/*.json', { allowEmpty: true }).pipe(checkWorkflows()).pipe(dest('dist/examples/workflows'));
const assets = () =>
	src(['examples/assets/driving.mp4', 'examples/assets/character.png'], { allowEmpty: true, encoding: false }).pipe(dest('dist/examples/assets'));

// `n8n-node build` copies every PNG/SVG of the repo into dist/, README screenshots and test output included:
// keep only what the package ships.
const SHIPPED = new Set(['nodes', 'credentials', 'icons', 'examples', 'package.json']);
async function prune() {
	const fs = require('fs/promises');
	for (const entry of await fs.readdir('dist')) {
		if (SHIPPED.has(entry)) continue;
		await fs.rm(path.join('dist', entry), { recursive: true, force: true });
	}
}

exports.default = series(prune, workflows, assets);
