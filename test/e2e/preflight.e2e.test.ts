/**
 * URL inputs' preflight (issue 10 item 4) inside a real n8n 2.x: the range requests go out through n8n's own
 * plain HTTP helper (with n8n's SSRF and proxy handling in the path), a 45 s driving video at a URL is refused
 * before the provider is asked, a host that ignores ranges leaves a note, and the media host never sees a key.
 */
import { loadE2e, uniqueWebhookPath, type E2eContext } from './context';
import {
	actTwo,
	createParams,
	describeExecution,
	jsonOf,
	runOnce,
	webhookTrigger,
	workflow,
} from './workflows/build';

let ctx: E2eContext;
let simUrl: string;

interface RecordedLite {
	provider: string | null;
	method: string;
	path: string;
	headers: Record<string, string>;
	status: number | null;
}

beforeAll(async () => {
	ctx = await loadE2e();
	if (!ctx.info.simulator) throw new Error('this suite needs the simulator');
	simUrl = ctx.info.simulator.url;
	await ctx.sim('POST', 'reset');
});

it('a 45 s URL video is refused before Runway is asked; a host ignoring ranges gets a note; no key leaves', async () => {
	const media = (host: string, name: string) => `${simUrl}/media/${host}/${name}`;
	const character = `${simUrl}/static/character.png`;
	const path = uniqueWebhookPath('act-two-preflight');
	const wf = workflow(
		'preflight',
		[
			webhookTrigger(path),
			actTwo(
				'Too Long',
				ctx.credentialRef('runway'),
				createParams(
					'runway',
					{ character, driving: media('ranges', 'clip-45s-end.mp4') },
					{
						waitForCompletion: 'none',
					},
				),
				[1, 0],
				{ onError: 'continueRegularOutput' },
			),
			actTwo(
				'No Ranges',
				ctx.credentialRef('comet'),
				createParams(
					'comet',
					{ character, driving: media('noranges', 'clip-10s-end-2000000.mp4') },
					{ model: 'act_two', waitForCompletion: 'none' },
				),
				[2, 0],
			),
			actTwo(
				'Moov Last',
				ctx.credentialRef('runway'),
				createParams(
					'runway',
					{ character, driving: media('ranges', 'clip-10s-end.mp4') },
					{
						waitForCompletion: 'none',
					},
				),
				[3, 0],
			),
		],
		[
			['Webhook', 'Too Long'],
			['Too Long', 'No Ranges'],
			['No Ranges', 'Moov Last'],
		],
	);
	const exec = await runOnce(ctx.n8n, wf, 90_000);
	expect({ status: exec.status, why: describeExecution(exec) }).toMatchObject({
		status: 'success',
	});

	const [tooLong] = jsonOf(exec, 'Too Long');
	expect(String(tooLong.error)).toMatch(
		/Driving Video must last 3–30 seconds; this one lasts 45\.0 s/,
	);
	const [noRanges] = jsonOf(exec, 'No Ranges');
	expect(noRanges.taskId).toEqual(expect.any(String));
	expect(noRanges.preflight).toMatch(/not checked: the host ignores range requests/);
	const [moovLast] = jsonOf(exec, 'Moov Last');
	expect(moovLast.taskId).toEqual(expect.any(String));
	expect(moovLast.preflight).toBeUndefined();

	const log = await ctx.sim<RecordedLite[]>('GET', 'requests');
	// One Runway create: the 10 s video's; the 45 s one never reached Runway.
	const creates = log.filter(
		(r) => r.provider === 'runway' && r.method === 'POST' && /character_performance/.test(r.path),
	);
	expect(creates).toHaveLength(1);
	const probes = log.filter((r) => r.path.startsWith('/media/') && r.headers.range !== undefined);
	expect(probes.map((r) => `${r.path} ${r.headers.range} ${r.status}`)).toEqual(
		expect.arrayContaining([
			'/media/ranges/clip-45s-end.mp4 bytes=0-65535 206',
			`/media/ranges/clip-45s-end.mp4 bytes=${300 * 1024 - 116}-${300 * 1024 - 1} 206`,
			'/media/noranges/clip-10s-end-2000000.mp4 bytes=0-65535 200',
		]),
	);
	for (const r of log.filter((x) => x.path.startsWith('/media/') || x.path.startsWith('/static/')))
		expect(Object.values(r.headers).join(' ')).not.toMatch(/REDACTED|Bearer/);
});
