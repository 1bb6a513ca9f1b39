/**
 * Preflight for URL inputs (issue 10 item 4), against the simulator's test-only media hosts with real HTTP:
 * the driving video's length read from its MP4/MOV header with range requests before any request reaches the
 * provider, hosts that defeat the check leave a note instead of failing the item, and Runway's rules for
 * input URLs are checked with each failure naming its rule.
 */
import { runWorkflow } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	createRequests,
	credentials,
	errorText,
	items,
	jsons,
	pairedIndex,
	urlInputs,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(60_000);

const it = test.concurrent;

const providerRequests = (sim: Simulator, provider: SimProvider) =>
	sim.requests().filter((r) => r.provider === provider);
const mediaRequests = (sim: Simulator) =>
	sim.requests().filter((r) => r.provider === 'files' && r.path.startsWith('/media/'));

async function create(sim: Simulator, provider: SimProvider, drivingUrl: string, extra = {}) {
	return await runWorkflow(
		workflow(items(1), actTwo(provider, urlInputs(sim, { drivingUrl, ...extra }) as never)),
		{ credentials: credentials(sim) },
	);
}

describe('the driving video length of a URL input, read over HTTP before anything is sent', () => {
	it.each<[SimProvider, string, string, RegExp]>([
		['runway', 'ranges', 'too-short.mp4', /lasts 2\.0 s/],
		['runway', 'ranges', 'clip-31s-end.mp4', /lasts 31\.0 s/],
		['runway', 'ranges', 'clip-45s-start.mp4', /lasts 45\.0 s/],
		['useapi', 'ranges', 'clip-31s-end.mp4', /lasts 31\.0 s/],
		['comet', 'ranges', 'clip-2s-end.mp4', /lasts 2\.0 s/],
		['liangxin', 'ranges', 'clip-45s-end-5000000.mp4', /lasts 45\.0 s/],
	])('%s, %s host, %s → refused, no request to the provider', (provider, host, file, length) =>
		withSim(async (sim) => {
			const result = await create(sim, provider, sim.mediaUrl(host, file));
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/^Driving Video must last 3–30 seconds/);
			expect(result.error?.message).toMatch(length);
			expect(errorText(result)).toMatch(/no credits were spent/);
			expect(providerRequests(sim, provider)).toHaveLength(0);
			expect(sim.tasks()).toHaveLength(0);
		}),
	);

	it('a moov at the end of a 5 MB file costs two range reads of at most 64 KiB, without the API key', () =>
		withSim(async (sim) => {
			const result = await create(sim, 'comet', sim.mediaUrl('ranges', 'clip-40s-end-5000000.mp4'));
			expect(result.error?.message).toMatch(/lasts 40\.0 s/);
			const reads = mediaRequests(sim);
			expect(reads.map((r) => r.headers.range)).toEqual([
				'bytes=0-65535',
				`bytes=${5_000_000 - 116}-${5_000_000 - 1}`,
			]);
			expect(reads.every((r) => r.status === 206)).toBe(true);
			for (const r of reads) {
				expect(r.headers.authorization).toBeUndefined();
				expect(JSON.stringify(r.headers)).not.toMatch(/REDACTED/);
			}
		}));

	it('a 10 s video passes (moov first or last) and the render starts with no note', () =>
		withSim(async (sim) => {
			for (const file of ['clip-10s-start.mp4', 'clip-10s-end.mp4']) {
				const result = await create(sim, 'runway', sim.mediaUrl('ranges', file));
				expect(result.status).toBe('success');
				const [out] = jsons(result.outputs('Act-Two'));
				expect(out.taskId).toEqual(expect.any(String));
				expect(out.preflight).toBeUndefined();
			}
			expect(providerRequests(sim, 'runway').length).toBeGreaterThanOrEqual(2);
		}));
});

describe('a media host that defeats the check: the item carries on, and its output says so', () => {
	it('a host that ignores ranges: one request, its 200 body left unread; the render starts with a note', () =>
		withSim(async (sim) => {
			// 20 MB: the header sits at the end, out of reach without downloading the file.
			const url = sim.mediaUrl('noranges', 'clip-10s-end-20000000.mp4');
			const result = await create(sim, 'comet', url);
			expect(result.status).toBe('success');
			const [out] = jsons(result.outputs('Act-Two'));
			expect(out.taskId).toEqual(expect.any(String));
			expect(out.preflight).toMatch(
				/^Driving Video URL: its length \(3–30 s\) was not checked: the host ignores range requests\.$/,
			);
			// One request from the node (the other is CometAPI fetching the video for the render).
			expect(mediaRequests(sim).filter((r) => r.headers['user-agent'] === 'n8n')).toHaveLength(1);
		}));

	it.each([
		['slow', /did not answer within 5 s/],
		['trickle', /did not answer within 5 s/],
		['stall', /did not answer within 5 s/],
		['refuse', /could not be reached/],
	])('a %s host: carries on after at most ~5 s with a note', (host, reason) =>
		withSim(async (sim) => {
			const started = Date.now();
			const result = await create(sim, 'comet', sim.mediaUrl(host, 'clip-10s-end.mp4'));
			expect(result.status).toBe('success');
			expect(Date.now() - started).toBeLessThan(15_000);
			const [out] = jsons(result.outputs('Act-Two'));
			expect(out.preflight).toMatch(reason);
			expect(providerRequests(sim, 'comet').length).toBeGreaterThan(0);
		}),
	);

	it('a batch giving the same slow URL to 3 items waits for it once, and notes it on each item', () =>
		withSim(async (sim) => {
			const started = Date.now();
			const result = await runWorkflow(
				workflow(
					items(3),
					actTwo(
						'comet',
						urlInputs(sim, { drivingUrl: sim.mediaUrl('slow', 'clip-10s-end.mp4') }) as never,
					),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('success');
			expect(Date.now() - started).toBeLessThan(12_000);
			const out = jsons(result.outputs('Act-Two'));
			expect(out).toHaveLength(3);
			for (const item of out) expect(item.preflight).toMatch(/did not answer within 5 s/);
			const probes = mediaRequests(sim).filter((r) => r.headers.range !== undefined);
			expect(probes).toHaveLength(1);
		}));

	it('a URL whose bytes are no MP4/MOV: not refused here, the create is sent and the provider decides', () =>
		withSim(async (sim) => {
			const result = await create(sim, 'comet', sim.mediaUrl('ranges', 'junk-100000.mp4'));
			expect(createRequests(sim, 'comet')).toHaveLength(1);
			expect(errorText(result)).not.toMatch(/Driving Video must last/);
		}));
});

describe("Runway's rules for input URLs: each failure names the rule, nothing is sent", () => {
	const long = (sim: Simulator) =>
		sim.mediaUrl('ranges', 'clip-10s-end.mp4') + '?pad=' + 'x'.repeat(2100);
	it.each<[string, (sim: Simulator) => Record<string, string>, RegExp]>([
		[
			'plain http',
			() => ({ drivingUrl: 'http://cdn.example.com/clip.mp4' }),
			/HTTPS: the URL must start with https:\/\//,
		],
		[
			'an IP address',
			() => ({ drivingUrl: 'https://203.0.113.7/clip.mp4' }),
			/domain name: the host must be a domain name, not an IP address \(203\.0\.113\.7\)/,
		],
		[
			'an IP address in another spelling',
			() => ({ drivingUrl: 'https://3405803783/clip.mp4' }),
			/domain name: .*\(203\.0\.113\.7\)/,
		],
		[
			'2,049+ characters',
			(sim) => ({ drivingUrl: long(sim) }),
			/URL length: at most 2,048 characters; this one has 2,1\d\d/,
		],
		[
			'a redirect',
			(sim) => ({ drivingUrl: sim.mediaUrl('redirect', 'clip-10s-end.mp4') }),
			/no redirects: the host answered HEAD with HTTP 302/,
		],
		[
			'no HEAD',
			(sim) => ({ drivingUrl: sim.mediaUrl('nohead', 'clip-10s-end.mp4') }),
			/HEAD: the host must answer a HEAD request; it answered HTTP 405/,
		],
		[
			'application/octet-stream',
			(sim) => ({ drivingUrl: sim.mediaUrl('octet', 'clip-10s-end.mp4') }),
			/Content-Type: HEAD must answer with the file's video type; it answered application\/octet-stream/,
		],
		[
			'no Content-Length',
			(sim) => ({ drivingUrl: sim.mediaUrl('nolength', 'clip-10s-end.mp4') }),
			/Content-Length: HEAD must answer with the file's size; it answered none/,
		],
		[
			'over 32 MB',
			(sim) => ({ drivingUrl: sim.mediaUrl('ranges', 'clip-10s-end-34000000.mp4') }),
			/size limit: Runway fetches videos up to 32\.0 MB from a URL; this one is 32\.4 MB/,
		],
		[
			'an image as the driving video',
			(sim) => ({ drivingUrl: sim.mediaUrl('ranges', 'character.png') }),
			/Content-Type: a video is expected; the host says image\/png/,
		],
		[
			'a character video over 32 MB',
			(sim) => ({
				characterUrl: sim.mediaUrl('ranges', 'clip-10s-end-34000000.mp4'),
				characterType: 'video',
			}),
			/^Character URL does not meet Runway's rules.*size limit/,
		],
	])('%s', (_name, params, rule) =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(items(1), actTwo('runway', urlInputs(sim, params(sim)) as never)),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/URL does not meet Runway's rules for input URLs: /);
			expect(result.error?.message).toMatch(rule);
			expect(providerRequests(sim, 'runway')).toHaveLength(0);
			expect(sim.tasks()).toHaveLength(0);
		}),
	);

	it('several broken rules are listed together', () =>
		withSim(async (sim) => {
			const result = await create(
				sim,
				'runway',
				'http://198.51.100.2/' + 'a'.repeat(2100) + '.mp4',
			);
			expect(result.error?.message).toMatch(/URL length: .*; HTTPS: .*; domain name: /);
			expect(providerRequests(sim, 'runway')).toHaveLength(0);
			expect(mediaRequests(sim)).toHaveLength(0);
		}));

	it("other providers do not apply Runway's rules (a redirect is followed)", () =>
		withSim(async (sim) => {
			const result = await create(sim, 'comet', sim.mediaUrl('redirect', 'clip-31s-end.mp4'));
			expect(result.error?.message).toMatch(/lasts 31\.0 s/);
		}));

	it('under Continue On Fail a refused URL is one error item; the other items start', () =>
		withSim(async (sim) => {
			const result = await runWorkflow(
				workflow(
					items(2, (i) => ({
						json: {
							url: sim.mediaUrl(i === 0 ? 'redirect' : 'ranges', 'clip-10s-end.mp4'),
						},
					})),
					actTwo('runway', urlInputs(sim, { drivingUrl: '={{ $json.url }}' }) as never, {
						onError: 'continueRegularOutput',
					}),
				),
				{ credentials: credentials(sim) },
			);
			expect(result.status).toBe('success');
			const out = result.outputs('Act-Two');
			expect(out.map(pairedIndex)).toEqual([0, 1]);
			expect(String(out[0].json.error)).toMatch(/no redirects/);
			expect(out[1].json.taskId).toEqual(expect.any(String));
			expect(providerRequests(sim, 'runway').filter((r) => r.method === 'POST')).toHaveLength(1);
		}));
});
