import type { MediaType, UrlHead, UrlInputRules } from '../../core/types';

/**
 * What Runway's input guide says an input URL must satisfy (providers.md 1.5 b), checked before a create so
 * a URL Runway cannot fetch costs a clear error instead of a failed task. Each problem starts with the rule.
 */

export const RUNWAY_URL_MAX_LENGTH = 2048;
/** Runway fetches files up to these sizes from a URL (data URIs and uploads have their own limits). */
export const RUNWAY_URL_SIZE_LIMIT: Record<MediaType, number> = {
	image: 16 * 1024 * 1024,
	video: 32 * 1024 * 1024,
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function hostOf(url: string): string | null {
	try {
		return new URL(url).hostname.toLowerCase();
	} catch {
		return null;
	}
}

/** The URL parser has already turned 0x7f.1, 2130706433 and the like into dotted quads. */
const isIpAddress = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');

/**
 * Loopback hosts are exempt from the HTTPS and domain-name rules: Runway cannot reach them whatever their
 * scheme, so such a URL can only be meant for a local stand-in of the API (the project's simulator, which
 * fetches loopback http as a documented deviation). Every other rule still applies to them.
 */
const isLoopback = (host: string) =>
	host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

export const runwayUrlRules: UrlInputRules = {
	urlProblems(url) {
		const problems: string[] = [];
		if (url.length > RUNWAY_URL_MAX_LENGTH)
			problems.push(
				`URL length: at most ${RUNWAY_URL_MAX_LENGTH.toLocaleString('en-US')} characters; this one has ${url.length.toLocaleString('en-US')}`,
			);
		const host = hostOf(url);
		if (host === null) return [...problems, 'URL: not a valid URL'];
		if (isLoopback(host)) return problems;
		if (!/^https:/i.test(url)) problems.push('HTTPS: the URL must start with https://');
		if (isIpAddress(host))
			problems.push(`domain name: the host must be a domain name, not an IP address (${host})`);
		return problems;
	},

	headProblems(head: UrlHead, type: MediaType) {
		if (head.status >= 300 && head.status < 400)
			return [
				`no redirects: the host answered HEAD with HTTP ${head.status}; Runway does not follow redirects, give the final URL`,
			];
		if (head.status >= 400)
			return [`HEAD: the host must answer a HEAD request; it answered HTTP ${head.status}`];
		const problems: string[] = [];
		if (!head.contentType || head.contentType === 'application/octet-stream')
			problems.push(
				`Content-Type: HEAD must answer with the file's ${type} type; it answered ${head.contentType ?? 'none'}`,
			);
		else if (!head.contentType.startsWith(`${type}/`))
			problems.push(`Content-Type: a ${type} is expected; the host says ${head.contentType}`);
		if (head.contentLength === null)
			problems.push("Content-Length: HEAD must answer with the file's size; it answered none");
		else if (head.contentLength > RUNWAY_URL_SIZE_LIMIT[type])
			problems.push(
				`size limit: Runway fetches ${type}s up to ${mb(RUNWAY_URL_SIZE_LIMIT[type])} from a URL; this one is ${mb(head.contentLength)} (give it as binary data: the node uploads it)`,
			);
		return problems;
	},
};
