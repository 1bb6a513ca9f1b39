/** The provider credential types' own tests (n8n's "Test" button) against the simulator. */
import { testCredential } from '../../harness';
import { startSimulator, type Simulator } from '../../simulator';
import { CREDENTIAL_TYPE, expectNoSecrets, FAST, PROVIDERS, requests } from './helpers';

let sim: Simulator;
let sim200: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ timing: FAST });
	sim200 = await startSimulator({ timing: FAST, liangxinErrorHttpStatus: '200' });
});
afterAll(async () => {
	await sim.close();
	await sim200.close();
});
beforeEach(() => sim.reset());

describe.each(PROVIDERS)('%s credential test', (provider) => {
	const type = CREDENTIAL_TYPE[provider];

	test('the good key passes', async () => {
		const result = await testCredential(type, {
			apiKey: sim.keys[provider],
			baseUrl: sim.baseUrls[provider],
		});
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		// The test really reached the provider, authenticated, and cost nothing.
		const seen = requests(sim, provider, 'GET');
		expect(seen).toHaveLength(1);
		expect(seen[0].status).toBe(200);
		// Muapi takes its key in x-api-key; the others as a Bearer token.
		if (provider === 'muapi') {
			expect(seen[0].headers['x-api-key']).toBe('REDACTED');
			expect(seen[0].headers.authorization).toBeUndefined();
		} else expect(seen[0].headers.authorization).toBe('Bearer REDACTED');
		expect(sim.tasks()).toHaveLength(0);
	});

	test('a trailing slash on the base URL is fine', async () => {
		const result = await testCredential(type, {
			apiKey: sim.keys[provider],
			baseUrl: sim.baseUrls[provider] + '/',
		});
		expect(result.status).toBe('OK');
	});

	test('a bad key fails, without echoing any key', async () => {
		const result = await testCredential(type, {
			apiKey: 'wrong-key-123',
			baseUrl: sim.baseUrls[provider],
		});
		expect(result.status).toBe('Error');
		expect(requests(sim, provider, 'GET')[0].status).toBe(401);
		expectNoSecrets(sim, result);
		expect(result.message).not.toContain('wrong-key-123');
	});
});

test('runwayApi sends the X-Runway-Version header the API requires', async () => {
	await testCredential('runwayApi', { apiKey: sim.keys.runway, baseUrl: sim.baseUrls.runway });
	expect(requests(sim, 'runway', 'GET')[0].headers['x-runway-version']).toBe('2024-11-06');
});

test('liangXinApi: a gateway answering HTTP 200 with {code: 401} in the body also fails', async () => {
	const good = await testCredential('liangXinApi', {
		apiKey: sim200.keys.liangxin,
		baseUrl: sim200.baseUrls.liangxin,
	});
	expect(good.status).toBe('OK');
	const bad = await testCredential('liangXinApi', {
		apiKey: 'nope',
		baseUrl: sim200.baseUrls.liangxin,
	});
	expect(bad).toEqual({ status: 'Error', message: 'The API key was rejected (code 401).' });
});

test('an unreachable base URL fails', async () => {
	const result = await testCredential('cometApi', {
		apiKey: sim.keys.comet,
		baseUrl: 'http://127.0.0.1:9',
	});
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/ECONNREFUSED/);
});
