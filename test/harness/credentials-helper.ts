/**
 * An `ICredentialsHelper` fed from plain objects (`opts.credentials`), in the spirit of n8n's
 * `packages/core/nodes-testing/credentials-helper.ts`, but with the parts of the CLI's
 * `CredentialsHelper` that matter for community nodes implemented for real:
 * - `authenticate`: the credential type's `authenticate` function, or an `IAuthenticateGeneric` whose
 *   headers/qs/body/auth values are expressions such as `=Bearer {{$credentials.apiKey}}`, resolved through
 *   the workflow's expression engine with `$credentials` as an additional key (exactly like n8n).
 * - `preAuthentication`: called when the type has a hidden `expirable` property that is empty or expired.
 * - `getDecrypted`: property defaults of the credential type are applied under the given data.
 */
import { Credentials } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, isExpression } from 'n8n-workflow';

import type { CredentialTypeRegistry } from './registry';

export type CredentialsMap = Record<string, ICredentialDataDecryptedObject>;

export class HarnessCredentialsHelper extends ICredentialsHelper {
	private credentialsMap: CredentialsMap = {};

	/** Every credential update a node or preAuthentication made, for assertions. */
	readonly updates: Array<{ type: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(private readonly credentialTypes: CredentialTypeRegistry) {
		super();
	}

	setCredentials(credentialsMap: CredentialsMap) {
		this.credentialsMap = { ...credentialsMap };
	}

	/** The credential data with the type's property defaults applied underneath. */
	withDefaults(type: string, data: ICredentialDataDecryptedObject): ICredentialDataDecryptedObject {
		const result: ICredentialDataDecryptedObject = {};
		if (this.credentialTypes.recognizes(type)) {
			for (const property of this.getCredentialsProperties(type)) {
				if (property.default !== undefined && property.type !== 'notice') {
					result[property.name] = property.default as ICredentialDataDecryptedObject[string];
				}
			}
		}
		return { ...result, ...data };
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const own = this.credentialTypes.getByName(type);
		const merged = new Map<string, INodeProperties>();
		for (const parent of own.extends ?? []) {
			if (this.credentialTypes.recognizes(parent)) {
				for (const property of this.getCredentialsProperties(parent))
					merged.set(property.name, property);
			}
		}
		for (const property of own.properties) merged.set(property.name, property);
		return [...merged.values()];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = this.credentialTypes.getByName(typeName);
		const { authenticate } = credentialType;
		if (authenticate === undefined) return requestOptions;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (authenticate.type !== 'generic') return requestOptions;
		if (!workflow || !node) {
			throw new Error('Workflow and node are required for generic credential authentication');
		}
		if (requestOptions.headers === undefined) requestOptions.headers = {};
		const target = requestOptions as unknown as Record<string, Record<string, unknown> | undefined>;
		for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
			for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
				const keyResolved = this.resolveValue(key, credentials, workflow, node);
				const valueResolved = this.resolveValue(value, credentials, workflow, node);
				target[outerKey] ??= {};
				target[outerKey][keyResolved] = valueResolved;
			}
		}
		return requestOptions;
	}

	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(value)) return value;
		const resolved = workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			{ $credentials: credentials },
			undefined,
			'',
		);
		return resolved ? String(resolved as string) : '';
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		_node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable?.name === undefined || typeof credentialType.preAuthentication !== 'function') {
			return undefined;
		}
		if (
			credentials[expirable.name] !== '' &&
			credentials[expirable.name] !== undefined &&
			!credentialsExpired
		) {
			return undefined;
		}
		const output = (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		const updated = Object.assign(credentials, output);
		this.credentialsMap[typeName] = { ...(this.credentialsMap[typeName] ?? {}), ...output };
		this.updates.push({ type: typeName, data: { ...output } });
		return updated;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		return (await credentialType.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentialsMap[type];
		if (data === undefined) {
			throw new Error(
				`Harness: no credentials of type "${type}" were given (opts.credentials has: ${Object.keys(this.credentialsMap).join(', ') || 'none'})`,
			);
		}
		return this.withDefaults(type, data);
	}

	async getCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<Credentials> {
		return new Credentials({ id: nodeCredentials.id, name: nodeCredentials.name }, type, '');
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.credentialsMap[type] = { ...data };
		this.updates.push({ type, data: { ...data } });
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.credentialsMap[type] = { ...(this.credentialsMap[type] ?? {}), ...data };
		this.updates.push({ type, data: { ...data } });
	}
}
