/** No API key may appear in an output item, an error message or description, or anywhere in the run data. */
import { runWorkflow } from '../../harness';
import type { RunResult } from '../../harness';
import type { SimProvider, Simulator } from '../../simulator';
import {
	actTwo,
	credentials,
	CREDENTIAL_TYPE,
	expectNoSecrets,
	items,
	PROVIDERS,
	QUICK_POLL,
	urlInputs,
	withSim,
	workflow,
} from './helpers';

jest.setTimeout(30_000);

// Every test has its own simulator and runs concurrently with the others.
const it = test.concurrent;

/** Everything a user (or a log) can see of a run. */
function visible(result: RunResult): unknown[] {
	const e = result.error as (Error & { description?: string }) | undefined;
	return [
		result.data,
		JSON.stringify(result.data),
		e,
		e?.message,
		e?.description,
		result.outputs('Act-Two'),
		result.outputs('Act-Two', 1),
	];
}

const run = (
	sim: Simulator,
	provider: SimProvider,
	parameters: Record<string, unknown>,
	opts: { onError?: boolean; creds?: ReturnType<typeof credentials> } = {},
) =>
	runWorkflow(
		workflow(
			items(2),
			actTwo(provider, parameters as never, opts.onError ? { onError: 'continueErrorOutput' } : {}),
			{ errorBranch: opts.onError },
		),
		{ credentials: opts.creds ?? credentials(sim) },
	);

describe.each(PROVIDERS)('%s', (provider) => {
	it('a successful create + poll + download', () =>
		withSim(async (sim) => {
			const result = await run(
				sim,
				provider,
				urlInputs(sim, {
					...(provider === 'comet' ? {} : {}),
					waitForCompletion: 'poll',
					output: 'binary',
					options: QUICK_POLL,
				}),
			);
			expect(result.status).toBe('success');
			expectNoSecrets(sim, ...visible(result));
		}));

	it('failures: moderation under the error output, provider 5xx, provider 400', () =>
		withSim(async (sim) => {
			sim.outcomes.next(provider, 'moderation');
			const moderated = await run(
				sim,
				provider,
				urlInputs(sim, { waitForCompletion: 'poll', options: QUICK_POLL }),
				{ onError: true },
			);
			expect(moderated.outputs('Act-Two', 1)).toHaveLength(1);
			expectNoSecrets(sim, ...visible(moderated));

			sim.faults.add({ provider, method: 'POST', kind: 'server_error', status: 503, times: 1 });
			const fiveHundred = await run(sim, provider, urlInputs(sim));
			expect(fiveHundred.status).toBe('error');
			expectNoSecrets(sim, ...visible(fiveHundred));

			sim.faults.add({ provider, method: 'POST', kind: 'status', status: 400, times: 1 });
			const badRequest = await run(sim, provider, urlInputs(sim));
			expect(badRequest.status).toBe('error');
			expectNoSecrets(sim, ...visible(badRequest));
		}));

	it('a rejected key at run time does not echo the key that was sent', () =>
		withSim(async (sim) => {
			const wrong = `${sim.keys[provider]}-revoked`;
			const creds = {
				...credentials(sim),
				[CREDENTIAL_TYPE[provider]]: { apiKey: wrong, baseUrl: sim.baseUrls[provider] },
			};
			const result = await run(sim, provider, urlInputs(sim), { creds });
			expect(result.status).toBe('error');
			expect(JSON.stringify(result.data)).not.toContain(wrong);
			expect(result.error?.message).not.toContain(wrong);
		}));

	it('an unreachable provider (connection refused)', () =>
		withSim(async (sim) => {
			const creds = {
				...credentials(sim),
				[CREDENTIAL_TYPE[provider]]: { apiKey: sim.keys[provider], baseUrl: 'http://127.0.0.1:9' },
			};
			const result = await run(sim, provider, urlInputs(sim), { creds });
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(/Could not get an answer from the provider/);
			expectNoSecrets(sim, ...visible(result));
		}));

	it('a provider whose error message echoes the key (as some gateways do) → the key is masked', () =>
		withSim(async (sim) => {
			const key = sim.keys[provider];
			const echo: Record<SimProvider, unknown> = {
				runway: { error: `Invalid API key ${key}` },
				useapi: { error: `Unauthorized token ${key}`, code: 401 },
				comet: {
					error: {
						message: `Invalid token: ${key} (request id: x)`,
						type: 'comet_api_error',
						param: '',
						code: '',
					},
				},
				liangxin: { code: 401, msg: `Key ${key} is not valid`, data: null },
				aiml: { message: `Invalid API key ${key}`, statusCode: '401' },
				muapi: { detail: `Invalid API key: ${key}` },
			};
			sim.faults.add({
				provider,
				method: 'POST',
				kind: 'status',
				status: 401,
				body: echo[provider],
				times: 2,
			});
			const result = await run(sim, provider, urlInputs(sim), { onError: true });
			expect(result.status).toBe('success');
			const failed = result.outputs('Act-Two', 1);
			expect(failed.length).toBeGreaterThan(0);
			expect(String(failed[0].json.error)).toMatch(/\*\*\*/);
			expectNoSecrets(sim, ...visible(result));
		}));
});
