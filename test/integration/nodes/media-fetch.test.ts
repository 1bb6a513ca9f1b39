/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
/**
 * URL inputs for a provider that renders only from its own assets (useapi.net): the node fetches each URL
 * through transport/media-fetch.ts and uploads it. Hostile or odd media hosts end in a clear item error with
 * nothing created; a good file arrives byte for byte, streamed when the host states its length.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { runWorkflow } from '../../harness';
import type { Simulator } from '../../simulator';
import {
	actTwo,
	CHARACTER,
	createRequests,
	credentials,
	errorText,
	items,
	requests,
	withSim,
	workflow,
} from './helpers';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function host(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
	const server = createServer(handler);
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise((r) => server.close(r));
		},
	};
}

/** Create on useapi.net with the character from `characterUrl`, Continue On Fail to the error output. */
async function create(sim: Simulator, characterUrl: string) {
	return await runWorkflow(
		workflow(
			items(1),
			actTwo(
				'useapi',
				{
					resource: 'task',
					operation: 'create',
					characterSource: 'url',
					characterUrl,
					drivingSource: 'url',
					drivingUrl: sim.staticUrl('driving.mp4'),
				} as never,
				{ onError: 'continueErrorOutput' },
			),
			{ errorBranch: true },
		),
		{ credentials: credentials(sim), timeoutMs: 60_000 },
	);
}

const errorOf = (result: Awaited<ReturnType<typeof create>>) =>
	result.outputs('Act-Two', 1)[0]?.json as { error?: string; details?: { category?: string } };

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The asset uploads useapi.net received. */
const assetUploads = (sim: Simulator) => requests(sim, 'useapi', 'POST', /\/assets/);

describe('useapi.net: URL inputs fetched for upload', () => {
	it.concurrent('a host that streams without Content-Length: the file arrives whole', () =>
		withSim(async (sim) => {
			const h = await host((_req, res) => {
				res.writeHead(200, { 'Content-Type': 'image/png' });
				res.write(CHARACTER.subarray(0, 1000));
				setImmediate(() => res.end(CHARACTER.subarray(1000)));
			});
			try {
				const result = await create(sim, `${h.url}/a%20b.png`);
				expect(errorText(result)).toBe('');
				expect(createRequests(sim, 'useapi')).toHaveLength(1);
				const character = assetUploads(sim).find((r) => /name=a(%20|\+)b\.png/.test(r.path));
				if (!character)
					throw new Error(
						assetUploads(sim)
							.map((r) => r.path)
							.join(', '),
					);
				expect(character?.body).toMatchObject({
					bytes: CHARACTER.length,
					sha256: sha256(CHARACTER),
				});
			} finally {
				await h.close();
			}
		}),
	);

	it.concurrent('a broken percent-escape in the file name is no raw URIError', () =>
		withSim(async (sim) => {
			const h = await host((_req, res) => {
				res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': CHARACTER.length });
				res.end(CHARACTER);
			});
			try {
				const result = await create(sim, `${h.url}/bad%E0%A4%A.png`);
				expect(errorText(result)).toBe('');
				expect(createRequests(sim, 'useapi')).toHaveLength(1);
			} finally {
				await h.close();
			}
		}),
	);

	it.concurrent(
		'a host stating 300 MB is refused before the body is read: clear error, nothing uploaded or created',
		() =>
			withSim(async (sim) => {
				let bytesSent = 0;
				const h = await host((_req, res) => {
					res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': 300 * 1024 * 1024 });
					const chunk = Buffer.alloc(64 * 1024);
					const pump = () => {
						while (bytesSent < 300 * 1024 * 1024 && res.write(chunk)) bytesSent += chunk.length;
					};
					res.on('drain', pump);
					pump();
				});
				try {
					const result = await create(sim, `${h.url}/huge.png`);
					const error = errorOf(result);
					expect(error?.error).toMatch(/Character URL points to 300\.0 MB; at most 200\.0 MB/);
					expect(assetUploads(sim)).toHaveLength(0);
					expect(createRequests(sim, 'useapi')).toHaveLength(0);
					expect(bytesSent).toBeLessThan(50 * 1024 * 1024);
				} finally {
					await h.close();
				}
			}),
	);

	it.concurrent.each([
		[404, 'not_found'],
		[403, 'auth'],
		[410, 'not_found'],
	])('a host answering %s: an item error (%s), nothing created', (status, category) =>
		withSim(async (sim) => {
			const h = await host((_req, res) => {
				res.writeHead(status, { 'Content-Type': 'text/html' });
				res.end('<html>no</html>');
			});
			try {
				const result = await create(sim, `${h.url}/gone.png`);
				const error = errorOf(result);
				expect(error?.error).toMatch(new RegExp(`Character URL answered HTTP ${status}`));
				expect(createRequests(sim, 'useapi')).toHaveLength(0);
				expect(error?.details?.category).toBe(category);
			} finally {
				await h.close();
			}
		}),
	);

	it.concurrent(
		'a host that drops the connection is retried like a read, then a clear error',
		() =>
			withSim(async (sim) => {
				let hits = 0;
				const h = await host((req) => {
					hits++;
					req.socket.destroy();
				});
				try {
					const result = await create(sim, `${h.url}/drop.png`);
					expect(errorOf(result)?.error).toMatch(/Could not fetch the Character URL/);
					expect(hits).toBeGreaterThan(1);
					expect(createRequests(sim, 'useapi')).toHaveLength(0);
				} finally {
					await h.close();
				}
			}),
		60_000,
	);
});
