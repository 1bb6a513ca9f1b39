import { aimlErrorBody } from './providers/aiml';
import { muapiErrorBody } from './providers/muapi';
import type { AnySimProvider } from './types';

/** Each provider's own error body for an injected status (when the fault rule brings no body). */
export function providerErrorBody(
	provider: AnySimProvider | null,
	status: number,
	path = '/',
): unknown {
	const rid = ' (request id: sim' + Date.now().toString(36) + ')';
	switch (provider) {
		case 'runway':
			if (status === 429) return { error: 'Your daily task limit has been reached.' };
			if (status >= 500)
				return {
					error:
						status === 504
							? 'The service is overloaded. Please try again later.'
							: 'The service is temporarily unavailable. Please try again later.',
				};
			return { error: 'Request failed with status ' + status };
		case 'useapi':
			if (status === 429)
				return {
					error:
						'You have too many tasks running or pending. Please wait for some of them to finish before starting more.',
				};
			if (status === 422) return { error: 'Your request was moderated by Runway.', code: 422 };
			return {
				error: status >= 500 ? 'Runway server error (' + status + ')' : 'Request failed',
				code: status,
			};
		case 'comet':
			return {
				error: {
					message:
						(status === 429
							? 'The upstream load is saturated, please try again later'
							: status >= 500
								? 'upstream error: do request failed'
								: 'request failed') + rid,
					type: 'comet_api_error',
					param: '',
					code: status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'do_request_failed' : '',
				},
			};
		case 'liangxin':
			if (status === 429)
				return {
					code: 429,
					msg: 'Rate limited: too many requests, please try again later',
					data: null,
				};
			if (status === 455) return { code: 455, msg: 'Service under maintenance', data: null };
			return {
				code: status,
				msg: status >= 500 ? 'Server error, please try again later' : 'Request failed',
				data: null,
			};
		case 'aiml':
			return aimlErrorBody(path, status);
		case 'muapi':
			return muapiErrorBody(status);
		default:
			return { error: 'Injected status ' + status };
	}
}
