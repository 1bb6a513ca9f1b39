import { NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { providerContext } from '../helpers/context';
import { runPerItem } from '../helpers/items';
import { loadBinary } from '../helpers/media';

export const option: INodePropertyOptions = {
	name: 'Upload',
	value: 'upload',
	action: 'Upload a file',
	description: 'Turn a file into a provider asset for later renders',
};

export const description: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		description: 'The binary field holding the image or video to upload',
		displayOptions: { show: { resource: ['asset'], operation: ['upload'] } },
	},
	{
		displayName: 'Use As',
		name: 'role',
		type: 'options',
		options: [
			{ name: 'Character', value: 'character' },
			{
				name: 'Driving Video',
				value: 'driving',
				description: 'Checked to be a video of 3–30 seconds',
			},
		],
		default: 'character',
		displayOptions: { show: { resource: ['asset'], operation: ['upload'] } },
	},
];

/** Turns a file into a provider asset (useapi.net asset ID, Runway runway:// URI valid for 24 h). */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const pctx = await providerContext(this, this.getNodeParameter('provider', 0) as string);
	const upload = pctx.adapter.capabilities.uploads ? pctx.adapter.upload : undefined;
	if (!upload) {
		throw new NodeOperationError(
			this.getNode(),
			`${pctx.adapter.displayName} has no upload endpoint: it takes public URLs only`,
			{
				description:
					'Host the file somewhere public (S3, Google Drive…) and pass its URL to Create.',
			},
		);
	}
	return await runPerItem(
		this,
		this.getInputData().length,
		pctx.adapter.capabilities.defaultConcurrency,
		async (i) => {
			const role = this.getNodeParameter('role', i) as 'character' | 'driving';
			const binaryProperty = this.getNodeParameter('binaryPropertyName', i) as string;
			const file = await loadBinary(
				this,
				i,
				{
					role,
					label: role === 'driving' ? 'Driving Video' : 'Character',
					source: 'binary',
					type: 'image',
					url: '',
					binaryProperty,
					assetId: '',
				},
				pctx.adapter,
			);
			const result = await upload(pctx.client, { ...file, forceUpload: true });
			const assetId = result.ref.kind === 'asset' ? result.ref.assetId : result.ref.uri;
			return [
				{
					json: {
						provider: result.provider,
						assetId,
						mediaType: file.mediaType,
						url: result.url,
						expiresAt: result.expiresAt,
						raw: result.raw,
					},
				},
			];
		},
	);
}
