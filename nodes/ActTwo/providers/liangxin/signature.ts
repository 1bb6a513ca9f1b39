import { createHmac } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { safeEqual } from '../../core/safe-equal';
import type { CallbackVerifier } from '../../core/types';

/** Kie-style webhook signature: base64(HMAC-SHA256(taskId + "." + timestamp, key)) (providers.md 4.2). */
export function kieSignature(taskId: string, timestamp: string, key: string): string {
	return createHmac('sha256', key).update(`${taskId}.${timestamp}`).digest('base64');
}

const header = (headers: IDataObject, name: string): string => {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? String(value[0] ?? '') : String(value ?? '');
};

/** Checks the Kie HMAC headers. Accepts data.taskId or data.task_id, as the docs disagree. */
export function verifyKieSignature(
	headers: IDataObject,
	body: IDataObject,
	key: string,
	maxSkewSeconds = 600,
	now = Date.now(),
): { ok: true } | { ok: false; reason: string } {
	const timestamp = header(headers, 'x-webhook-timestamp');
	const signature = header(headers, 'x-webhook-signature');
	if (!timestamp || !signature)
		return { ok: false, reason: 'missing X-Webhook-Timestamp or X-Webhook-Signature' };
	if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > maxSkewSeconds) {
		return { ok: false, reason: 'stale or invalid X-Webhook-Timestamp' };
	}
	const data = (body.data ?? {}) as IDataObject;
	const taskId = String(data.taskId ?? data.task_id ?? '');
	if (!safeEqual(kieSignature(taskId, timestamp, key), signature))
		return { ok: false, reason: 'signature mismatch' };
	return { ok: true };
}

/** LiangXin signs callbacks only when the credential has a webhook HMAC key; then every callback must carry it. */
export const verifyLiangXinSignature: CallbackVerifier = (headers, body, credentials) => {
	const key =
		typeof credentials.webhookHmacSecret === 'string' ? credentials.webhookHmacSecret : '';
	return key ? verifyKieSignature(headers, body, key) : { ok: true };
};
