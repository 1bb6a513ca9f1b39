/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * Memory of uploading a binary input to useapi.net (`POST /assets/?name=…`, the raw file as the body). A
 * 150 MiB generated driving video (an MP4 layout lasting 10 s, moov at the end: generated-video.ts) is written
 * to a temp file and stored in each child through n8n's BinaryDataService from a file stream (upload.ts). Then, in
 * n8n-core's real engine (test/harness), one child each:
 *   ours      the real Act-Two node, Asset > Upload, provider useapi.net, Use As "Driving Video": it checks the
 *             video's duration by scanning its box headers from a stream and sends getBinaryStream(id) as the
 *             body with a Content-Length (shared/media.ts, providers/useapi.ts, transport/http.ts);
 *   BASELINE  a bench-only node in the same engine doing what the node did before: getBinaryDataBuffer, the
 *             duration read from that Buffer, and the Buffer POSTed to the same /assets URL with the same headers
 *             through the package's own API client (helpers.httpRequestWithAuthentication).
 * The provider simulator (test/simulator) stores the asset and serves it back at the asset's `url`; each child
 * fetches it and checks its size and SHA-256 against the source. Warm-up on 1 MiB, floor, measured run, peak:
 * see child.ts. ACT_TWO_BENCH_MIB sets the size (up to the simulator's 260 MiB body limit).
 *
 * Run alone: node --import tsx test/bench/upload-memory.bench.ts
 */
import type { IDataObject } from 'n8n-workflow';

import { VIDEO_SECONDS } from './generated-video';
import { uploadBench } from './upload';

export const run = uploadBench(module, __filename, {
	provider: 'useapi',
	to: 'useapi.net POST /assets',
	isUpload: (q) => q.method === 'POST' && q.path.includes('/assets'),
	baseline: {
		// the package's upload before streaming (shared/media.ts loadBinary + useapi upload)
		label: 'BASELINE: getBinaryDataBuffer + POST Buffer',
		send: async (pctx, data, meta, fileName) => {
			const asset = (await pctx.client.request({
				method: 'POST',
				url: '/assets/',
				qs: { name: fileName },
				headers: { 'Content-Type': meta.mimeType },
				body: data,
				retry: 'create',
			})) as IDataObject;
			return { url: asset.url, raw: asset };
		},
	},
	read: async (json) => {
		const res = await fetch(String(json.url));
		if (!res.ok || !res.body) throw new Error(`GET ${String(json.url)}: HTTP ${res.status}`);
		return res.body;
	},
	extra: (json, problems) => {
		// The simulator's own MP4 parser reads the stored file's duration: the generated video is the 10 s MP4 it claims to be.
		const duration = ((json.raw as IDataObject)?.metadata as IDataObject)?.duration;
		if (duration !== VIDEO_SECONDS)
			problems.push(
				`the simulator read a duration of ${String(duration)} s, not ${VIDEO_SECONDS} s`,
			);
		return {};
	},
});
