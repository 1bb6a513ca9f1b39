/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Memory of uploading a binary input to Runway through its two-step upload (`POST /v1/uploads`, then the
 * presigned multipart/form-data POST). The same 150 MiB generated driving video as upload-memory.bench.ts
 * (10 s, moov at the end), stored in n8n's BinaryDataService from a file stream (upload.ts). Then, in n8n-core's real engine (test/harness), one child each:
 *   ours      the real Act-Two node, Asset > Upload, provider Runway, Use As "Driving Video": the duration read
 *             from a stream, the multipart body written as a stream around getBinaryStream(id) with its
 *             Content-Length computed in advance (transport/multipart.ts, providers/runway-upload.ts);
 *   BASELINE  a bench-only node doing what the node did before: getBinaryDataBuffer, the duration read from that
 *             Buffer, the file appended to a FormData as a Blob, and the form POSTed to the same presigned URL
 *             through the package's own API client.
 * The simulator keeps what its storage endpoint received; each child reads it back (GET /__sim/runway-files/…)
 * and checks its size and SHA-256 against the source. TARGET: ours at most 64 MiB above the floor (issues 10, 12).
 *
 * Run alone: node --import tsx test/bench/runway-upload-memory.bench.ts
 */
import { uploadBench } from './upload';

export const run = uploadBench(module, __filename, {
	provider: 'runway',
	to: 'Runway /v1/uploads + presigned multipart POST',
	isUpload: (q) => q.method === 'POST' && q.path.startsWith('/runway-storage/'),
	baseline: {
		// the package's Runway upload before it streamed: the file as a Blob in a FormData
		label: 'BASELINE: getBinaryDataBuffer + FormData Blob',
		send: async (pctx, data, meta, fileName) => {
			const slot = (await pctx.client.request({
				method: 'POST',
				url: '/v1/uploads',
				body: { filename: fileName, type: 'ephemeral' },
				retry: 'create',
			})) as { uploadUrl: string; runwayUri: string; fields: Record<string, string> };
			const form = new FormData();
			for (const [key, value] of Object.entries(slot.fields)) form.append(key, value);
			form.append('file', new Blob([data], { type: meta.mimeType }), fileName);
			await pctx.client.request({
				method: 'POST',
				url: slot.uploadUrl,
				body: form,
				retry: 'create',
				authenticated: false,
			});
			return { assetId: slot.runwayUri };
		},
	},
	read: async (json, config) => {
		const token = /^runway:\/\/ephemeral\/(.+)$/.exec(String(json.assetId))?.[1];
		if (!token) throw new Error(`not a runway:// upload URI: ${String(json.assetId)}`);
		const url = `${config.simUrl}/__sim/runway-files/${encodeURIComponent(token)}`;
		const res = await fetch(url);
		if (!res.ok || !res.body) throw new Error(`GET ${url}: HTTP ${res.status}`);
		return res.body;
	},
});
