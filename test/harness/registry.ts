/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Node-type and credential-type registries for the harness.
 *
 * n8n itself builds these from `LoadNodesAndCredentials` (package loaders). We load classes straight from
 * TypeScript source (ts-jest / tsx compile them on require), so the package's tests run against the code
 * being written, not against `dist/`.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { DirectoryLoader } from 'n8n-core';
import type {
	ICredentialType,
	IDataObject,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';

/** The package name n8n prefixes node types with (`<package>.<description.name>`). */
export const PACKAGE_NAME = 'n8n-nodes-act-two';

/** Repository root (test/harness → ../..). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

export type NodeClass = new () => INodeType | IVersionedNodeType;
export type CredentialClass = new () => ICredentialType;

function isNodeInstance(value: unknown): value is INodeType | IVersionedNodeType {
	return (
		typeof value === 'object' &&
		value !== null &&
		'description' in value &&
		typeof (value as { description?: { name?: unknown } }).description?.name === 'string'
	);
}

function isCredentialInstance(value: unknown): value is ICredentialType {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as ICredentialType).name === 'string' &&
		Array.isArray((value as ICredentialType).properties)
	);
}

/** Node types by full type name, e.g. `n8n-nodes-act-two.actTwo` or `n8n-nodes-base.manualTrigger`. */
export class NodeTypeRegistry implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	/** Register a node class (or instance) under `typeName`. Returns the type name. */
	register(
		typeName: string,
		nodeClassOrInstance: NodeClass | INodeType | IVersionedNodeType,
	): string {
		const instance =
			typeof nodeClassOrInstance === 'function' ? new nodeClassOrInstance() : nodeClassOrInstance;
		// What n8n's DirectoryLoader does to every loaded node: adds the declarative `requestOptions`
		// property (batching, proxy, timeout...) that RoutingNode reads.
		const versions =
			'nodeVersions' in instance ? Object.values(instance.nodeVersions) : [instance as INodeType];
		for (const version of versions) {
			if (version.description.requestDefaults !== undefined) {
				DirectoryLoader.applyDeclarativeNodeOptionParameters(version);
			}
		}
		this.types.set(typeName, instance);
		return typeName;
	}

	has(typeName: string): boolean {
		return this.types.has(typeName);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) {
			throw new UnexpectedError(
				`Unknown node type "${nodeType}". Registered: ${[...this.types.keys()].join(', ')}`,
			);
		}
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const name of this.types.keys()) known[name] = { className: name, sourcePath: '' };
		return known;
	}

	typeNames(): string[] {
		return [...this.types.keys()];
	}
}

/** Credential types by name (`runwayApi`, ...). Mirrors the parts of n8n's `CredentialTypes` the engine uses. */
export class CredentialTypeRegistry {
	private readonly types = new Map<string, ICredentialType>();

	register(credentialClassOrInstance: CredentialClass | ICredentialType): string {
		const instance =
			typeof credentialClassOrInstance === 'function'
				? new credentialClassOrInstance()
				: credentialClassOrInstance;
		this.types.set(instance.name, instance);
		return instance.name;
	}

	recognizes(name: string): boolean {
		return this.types.has(name);
	}

	getByName(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) {
			throw new UnexpectedError(
				`Unknown credential type "${name}". Registered: ${[...this.types.keys()].join(', ')}`,
			);
		}
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	typeNames(): string[] {
		return [...this.types.keys()];
	}
}

function walk(dir: string, suffix: string, out: string[] = []): string[] {
	let entries: string[];
	try {
		entries = readdirSync(dir);
	} catch {
		return out;
	}
	for (const entry of entries) {
		if (entry === 'node_modules' || entry.startsWith('.')) continue;
		const full = path.join(dir, entry);
		if (statSync(full).isDirectory()) walk(full, suffix, out);
		else if (entry.endsWith(suffix)) out.push(full);
	}
	return out;
}

export interface SourceLoadResult {
	nodes: Array<{ typeName: string; file: string }>;
	credentials: Array<{ name: string; file: string }>;
	/** Files that failed to load (e.g. work in progress that does not compile yet). */
	errors: Array<{ file: string; error: Error }>;
}

/**
 * Loads every `*.node.ts` under `nodesDir` and every `*.credentials.ts` under `credentialsDir` from source,
 * registering nodes as `<packageName>.<description.name>` (the type name a real install gets).
 */
export function loadPackageFromSource(
	nodeTypes: NodeTypeRegistry,
	credentialTypes: CredentialTypeRegistry,
	options: { nodesDir?: string; credentialsDir?: string; packageName?: string } = {},
): SourceLoadResult {
	const nodesDir = options.nodesDir ?? path.join(PACKAGE_ROOT, 'nodes');
	const credentialsDir = options.credentialsDir ?? path.join(PACKAGE_ROOT, 'credentials');
	const packageName = options.packageName ?? PACKAGE_NAME;
	const result: SourceLoadResult = { nodes: [], credentials: [], errors: [] };

	const load = (file: string): Record<string, unknown> | undefined => {
		try {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			return require(file) as Record<string, unknown>;
		} catch (error) {
			result.errors.push({ file, error: error as Error });
			return undefined;
		}
	};

	for (const file of walk(credentialsDir, '.credentials.ts')) {
		const mod = load(file);
		for (const exported of Object.values(mod ?? {})) {
			if (typeof exported !== 'function') continue;
			let instance: unknown;
			try {
				instance = new (exported as CredentialClass)();
			} catch {
				continue;
			}
			if (isCredentialInstance(instance)) {
				result.credentials.push({ name: credentialTypes.register(instance), file });
			}
		}
	}

	for (const file of walk(nodesDir, '.node.ts')) {
		const mod = load(file);
		for (const exported of Object.values(mod ?? {})) {
			if (typeof exported !== 'function') continue;
			let instance: unknown;
			try {
				instance = new (exported as NodeClass)();
			} catch {
				continue;
			}
			if (isNodeInstance(instance)) {
				const typeName = `${packageName}.${instance.description.name}`;
				result.nodes.push({ typeName: nodeTypes.register(typeName, instance), file });
			}
		}
	}
	return result;
}
