/** Runway's input-URL rules (providers.md 1.5 b) as the node checks them before a create; see preflight.test.ts for the HTTP side. */
import { runwayUrlRules } from '../../nodes/ActTwo/providers/runway/url-rules';

const { urlProblems, headProblems } = runwayUrlRules;
const ok = { status: 200, contentType: 'video/mp4', contentLength: 5_000_000 };

describe('urlProblems', () => {
	it.each([
		['https://cdn.example.com/a.mp4', []],
		['HTTPS://CDN.EXAMPLE.COM/a.mp4', []],
		['http://cdn.example.com/a.mp4', [/^HTTPS: /]],
		['https://192.0.2.1/a.mp4', [/^domain name: .*\(192\.0\.2\.1\)$/]],
		['https://0xc0.0.2.1/a.mp4', [/^domain name: .*\(192\.0\.2\.1\)$/]],
		['https://[2001:db8::1]/a.mp4', [/^domain name: .*\(\[2001:db8::1\]\)$/]],
		['ftp://198.51.100.1/a.mp4', [/^HTTPS: /, /^domain name: /]],
		// Loopback: only a local stand-in of the API can fetch it; HTTPS and domain rules do not apply.
		['http://127.0.0.1:5678/static/a.mp4', []],
		['http://localhost/a.mp4', []],
		['http://[::1]/a.mp4', []],
		['not a url', [/^URL: not a valid URL$/]],
	])('%s', (url, expected) => {
		const got = urlProblems(url);
		expect(got).toHaveLength(expected.length);
		expected.forEach((rule, i) => expect(got[i]).toMatch(rule));
	});

	it('length: 2,048 characters pass, 2,049 do not, loopback or not', () => {
		for (const base of ['https://cdn.example.com/', 'http://127.0.0.1/']) {
			const at = (n: number) => base + 'a'.repeat(n - base.length);
			expect(urlProblems(at(2048))).toEqual([]);
			expect(urlProblems(at(2049))).toEqual([
				'URL length: at most 2,048 characters; this one has 2,049',
			]);
		}
	});
});

describe('headProblems', () => {
	it('a good answer passes for a video and an image of their own type', () => {
		expect(headProblems(ok, 'video')).toEqual([]);
		expect(headProblems({ ...ok, contentType: 'image/png' }, 'image')).toEqual([]);
	});

	it.each([
		[{ status: 301 }, 'video', /^no redirects: .*HTTP 301/],
		[{ status: 307 }, 'video', /^no redirects: .*HTTP 307/],
		[{ status: 404 }, 'video', /^HEAD: .*HTTP 404/],
		[{ status: 405 }, 'video', /^HEAD: .*HTTP 405/],
		[{ contentType: null }, 'video', /^Content-Type: .*answered none/],
		[{ contentType: 'application/octet-stream' }, 'video', /^Content-Type: .*octet-stream/],
		[
			{ contentType: 'image/jpeg' },
			'video',
			/^Content-Type: a video is expected; the host says image\/jpeg/,
		],
		[{ contentLength: null }, 'video', /^Content-Length: /],
		[{ contentLength: 32 * 1024 * 1024 + 1 }, 'video', /^size limit: .*videos up to 32\.0 MB/],
		[
			{ contentType: 'image/png', contentLength: 16 * 1024 * 1024 + 1 },
			'image',
			/^size limit: .*images up to 16\.0 MB/,
		],
	] as const)('%o (%s)', (change, type, rule) => {
		const got = headProblems({ ...ok, ...change }, type);
		expect(got).toHaveLength(1);
		expect(got[0]).toMatch(rule);
	});

	it('exactly at the limits passes', () => {
		expect(headProblems({ ...ok, contentLength: 32 * 1024 * 1024 }, 'video')).toEqual([]);
		expect(
			headProblems({ ...ok, contentType: 'image/webp', contentLength: 16 * 1024 * 1024 }, 'image'),
		).toEqual([]);
	});
});
