/**
 * Adds the credential's Callback Secret to a Callback URL as ?secret=, unless the URL carries a secret already
 * (one pasted by hand, as before the secret moved into the credential).
 */
export function withCallbackSecret(url: string, secret: string): string {
	if (!secret) return url;
	const parsed = new URL(url);
	if (parsed.searchParams.has('secret')) return url;
	parsed.searchParams.set('secret', secret);
	return parsed.toString();
}
