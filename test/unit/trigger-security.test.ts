import { DeliveryLedger } from '../../nodes/ActTwoTrigger/dedupe';
import { safeEqual } from '../../nodes/ActTwo/core/safe-equal';
import { kieSignature, verifyKieSignature } from '../../nodes/ActTwo/providers/liangxin/signature';

describe('callback security', () => {
	it('compares secrets exactly', () => {
		expect(safeEqual('s3cret', 's3cret')).toBe(true);
		expect(safeEqual('s3cret', 's3cre')).toBe(false);
		expect(safeEqual('', 'x')).toBe(false);
	});
	it('verifies Kie-style HMAC signatures with data.taskId or data.task_id', () => {
		const now = 1_700_000_000_000;
		const ts = String(now / 1000);
		const sig = kieSignature('task_9', ts, 'k');
		const headers = { 'x-webhook-timestamp': ts, 'x-webhook-signature': sig };
		expect(verifyKieSignature(headers, { data: { taskId: 'task_9' } }, 'k', 600, now)).toEqual({
			ok: true,
		});
		expect(verifyKieSignature(headers, { data: { task_id: 'task_9' } }, 'k', 600, now)).toEqual({
			ok: true,
		});
		expect(
			verifyKieSignature(headers, { data: { taskId: 'task_8' } }, 'k', 600, now),
		).toMatchObject({ ok: false });
		expect(
			verifyKieSignature(headers, { data: { taskId: 'task_9' } }, 'other', 600, now),
		).toMatchObject({ ok: false });
		expect(
			verifyKieSignature(headers, { data: { taskId: 'task_9' } }, 'k', 600, now + 3_600_000),
		).toMatchObject({ reason: expect.stringMatching(/stale/) });
		expect(verifyKieSignature({}, { data: { taskId: 'task_9' } }, 'k')).toMatchObject({
			reason: expect.stringMatching(/missing/),
		});
	});
});

describe('DeliveryLedger (one execution per delivered event)', () => {
	type Data = { delivered?: Record<string, number> };
	it('lets one of many concurrent deliveries through; the others wait for its outcome', async () => {
		const ledger = new DeliveryLedger();
		const claims = await Promise.all(
			Array.from({ length: 20 }, async () => {
				const claim = await ledger.claim('wf/node', 'a:succeeded', {});
				claim?.commit();
				return claim;
			}),
		);
		expect(claims.filter(Boolean)).toHaveLength(1);
		expect(await ledger.claim('wf/node', 'a:succeeded', {})).toBeNull();
		expect(await ledger.claim('wf/node', 'a:failed', {})).not.toBeNull();
		expect(await ledger.claim('wf/other-node', 'a:succeeded', {})).not.toBeNull();
	});

	it('a released claim (rejected or unconfirmed delivery) lets the next repeat through', async () => {
		const ledger = new DeliveryLedger();
		const first = await ledger.claim('s', 'k', {});
		const waiting = ledger.claim('s', 'k', {});
		first?.release();
		const second = await waiting;
		expect(second).not.toBeNull();
		second?.commit();
		expect(await ledger.claim('s', 'k', {})).toBeNull();
	});

	it("writes every key into each recent call's static data, so whichever copy n8n saves last holds them all", async () => {
		const ledger = new DeliveryLedger();
		const copyA: Data = {};
		const copyB: Data = {};
		const a = await ledger.claim('s', 'a', copyA);
		const b = await ledger.claim('s', 'b', copyB);
		b?.commit();
		a?.commit();
		expect(Object.keys(copyA.delivered ?? {}).sort()).toEqual(['a', 'b']);
		expect(Object.keys(copyB.delivered ?? {}).sort()).toEqual(['a', 'b']);
	});

	it('after a restart (a new ledger) the saved keys are recognised; at most 1000 are saved', async () => {
		const saved: Data = {};
		const before = new DeliveryLedger();
		for (let i = 0; i < 1100; i++) (await before.claim('s', `k${i}`, saved))?.commit();
		expect(Object.keys(saved.delivered ?? {})).toHaveLength(1000);
		const after = new DeliveryLedger();
		expect(await after.claim('s', 'k1099', { ...saved })).toBeNull();
		expect(await after.claim('s', 'k0', { ...saved })).not.toBeNull();
	});

	it('ignores saved entries that are not timestamps', async () => {
		const ledger = new DeliveryLedger();
		const odd = { delivered: { a: 'x', b: { toString: 1 }, c: 5 } } as unknown as Data;
		expect(await ledger.claim('s', 'a', odd as never)).not.toBeNull();
		expect(await ledger.claim('s', 'c', odd as never)).toBeNull();
	});
});
