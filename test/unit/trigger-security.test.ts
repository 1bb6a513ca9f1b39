 
import { firstDelivery } from '../../nodes/ActTwoTrigger/dedupe';
import { kieSignature, safeEqual, verifyKieSignature } from '../../nodes/ActTwoTrigger/security';

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
	it('lets one delivery of each event through and forgets the oldest beyond 1000', () => {
		const data = {};
		expect(firstDelivery(data, 'a:succeeded', 1)).toBe(true);
		expect(firstDelivery(data, 'a:succeeded', 2)).toBe(false);
		expect(firstDelivery(data, 'a:failed', 3)).toBe(true);
		for (let i = 0; i < 1100; i++) firstDelivery(data, `k${i}`, 10 + i);
		expect(Object.keys((data as { delivered: object }).delivered)).toHaveLength(1000);
		expect(firstDelivery(data, 'a:succeeded', 5000)).toBe(true);
	});
});
