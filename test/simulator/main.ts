/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- test-only code: Node APIs are allowed here, the scanner never reads test/ */
import { startSimulator } from './index';

const HELP = `Act-Two provider simulator (Runway, useapi.net, CometAPI, LiangXin, AIML API, Muapi)

Usage: npm run simulator -- [--port 4010] [--host 127.0.0.1] [--demo] [--queued MS] [--running MS]
                            [--throttled MS] [--steps N] [--hmac KEY] [--comet-task wrapped|native]
                            [--comet-feed legacy|wrapped] [--runway-concurrency N]
                            [--aiml-video array|object|objects|string] [--aiml-status completed|succeeded]
                            [--aiml-error object|string|detail] [--muapi-create current|legacy]
                            [--muapi-result plain|detail] [--muapi-failed-http 400|200]
                            [--muapi-outputs strings|objects] [--muapi-extra ignore|forbid]
Env:   SIM_PORT, SIM_HOST, SIM_DEMO=1, SIM_QUEUED_MS, SIM_THROTTLED_MS, SIM_RUNNING_MS, SIM_PROGRESS_STEPS,
       SIM_LIANGXIN_HMAC_KEY, SIM_COMET_TASK_SHAPE, SIM_COMET_FEED_SHAPE, SIM_RUNWAY_CONCURRENCY,
       SIM_AIML_VIDEO, SIM_AIML_STATUS, SIM_AIML_ERROR, SIM_MUAPI_CREATE, SIM_MUAPI_RESULT,
       SIM_MUAPI_FAILED_HTTP, SIM_MUAPI_OUTPUTS, SIM_MUAPI_EXTRA
--demo uses slower, watchable timing (3 s queued, 2 s throttled, 20 s running, 5 progress steps).`;

function arg(name: string): string | undefined {
	const i = process.argv.indexOf('--' + name);
	if (i < 0) return undefined;
	const v = process.argv[i + 1];
	return v === undefined || v.startsWith('--') ? '' : v;
}

/** A --name / ENV choice among allowed values (first = default); anything else is an error. */
function choice<T extends string>(name: string, envName: string, allowed: readonly T[]): T {
	const v = arg(name) ?? process.env[envName];
	if (v === undefined || v === '') return allowed[0];
	if (!allowed.includes(v as T))
		throw new Error('--' + name + ' must be one of ' + allowed.join('|'));
	return v as T;
}

function num(v: string | undefined): number | undefined {
	if (v === undefined || v === '') return undefined;
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0) throw new Error('not a non-negative number: ' + v);
	return n;
}

async function main(): Promise<void> {
	if (process.argv.includes('--help') || process.argv.includes('-h')) {
		console.log(HELP);
		return;
	}
	const env = process.env;
	const demo = process.argv.includes('--demo') || env.SIM_DEMO === '1';
	const base = demo
		? { queuedMs: 3000, throttledMs: 2000, runningMs: 20000, progressSteps: 5 }
		: { queuedMs: 1000, throttledMs: 0, runningMs: 5000, progressSteps: 4 };
	const timing = {
		queuedMs: num(arg('queued') ?? env.SIM_QUEUED_MS) ?? base.queuedMs,
		throttledMs: num(arg('throttled') ?? env.SIM_THROTTLED_MS) ?? base.throttledMs,
		runningMs: num(arg('running') ?? env.SIM_RUNNING_MS) ?? base.runningMs,
		progressSteps: num(arg('steps') ?? env.SIM_PROGRESS_STEPS) ?? base.progressSteps,
	};
	const cometTask = arg('comet-task') ?? env.SIM_COMET_TASK_SHAPE;
	const cometFeed = arg('comet-feed') ?? env.SIM_COMET_FEED_SHAPE;
	const sim = await startSimulator({
		port: num(arg('port') ?? env.SIM_PORT) ?? 4010,
		host: arg('host') ?? env.SIM_HOST ?? '127.0.0.1',
		timing,
		liangxinHmacKey: arg('hmac') ?? env.SIM_LIANGXIN_HMAC_KEY ?? undefined,
		cometTaskShape: cometTask === 'native' ? 'native' : 'wrapped',
		cometFeedShape: cometFeed === 'wrapped' ? 'wrapped' : 'legacy',
		runwayConcurrency: num(arg('runway-concurrency') ?? env.SIM_RUNWAY_CONCURRENCY),
		aimlVideoShape: choice('aiml-video', 'SIM_AIML_VIDEO', [
			'array',
			'object',
			'objects',
			'string',
		] as const),
		aimlCompletedStatus: choice('aiml-status', 'SIM_AIML_STATUS', [
			'completed',
			'succeeded',
		] as const),
		aimlErrorShape: choice('aiml-error', 'SIM_AIML_ERROR', ['object', 'string', 'detail'] as const),
		muapiCreateShape: choice('muapi-create', 'SIM_MUAPI_CREATE', ['current', 'legacy'] as const),
		muapiResultShape: choice('muapi-result', 'SIM_MUAPI_RESULT', ['plain', 'detail'] as const),
		muapiFailedHttpStatus: choice('muapi-failed-http', 'SIM_MUAPI_FAILED_HTTP', [
			'400',
			'200',
		] as const),
		muapiOutputs: choice('muapi-outputs', 'SIM_MUAPI_OUTPUTS', ['strings', 'objects'] as const),
		muapiExtraFields: choice('muapi-extra', 'SIM_MUAPI_EXTRA', ['ignore', 'forbid'] as const),
	});
	console.log('Act-Two provider simulator listening on ' + sim.url);
	console.log('Timing: ' + JSON.stringify(timing));
	console.log('');
	console.log('Credential "Base URL" and API key (simulator-only fake keys):');
	for (const p of ['runway', 'useapi', 'comet', 'liangxin', 'aiml', 'muapi'] as const) {
		console.log('  ' + p.padEnd(9) + ' ' + sim.baseUrls[p].padEnd(46) + ' ' + sim.keys[p]);
	}
	console.log('');
	console.log('Inputs:   ' + sim.staticUrl('driving.mp4') + '  ' + sim.staticUrl('character.png'));
	console.log(
		'Controls: POST/DELETE ' +
			sim.url +
			'/__sim/faults, POST /__sim/outcomes, GET /__sim/tasks|callbacks|requests, POST /__sim/reset',
	);
	const stop = () => {
		void sim.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error('simulator failed to start: ' + (error as Error).message);
	process.exit(1);
});
