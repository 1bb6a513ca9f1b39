/**
 * Finished renders for the trigger tests, started directly on a simulator's LiangXin API (no workflow needed):
 * the task id and its genuine final callback body, exactly what the simulator would POST to a Callback URL.
 */
import { until } from './build';

export interface LiangXinApi {
	baseUrl: string;
	key: string;
	/** Public URLs of the inputs (the simulator's /static/ files). */
	character: string;
	driving: string;
}

export async function finishedRender(
	api: LiangXinApi,
): Promise<{ taskId: string; body: Record<string, unknown> }> {
	const headers = { authorization: `Bearer ${api.key}`, 'content-type': 'application/json' };
	const res = await fetch(`${api.baseUrl}/api/v1/jobs/createTask`, {
		method: 'POST',
		headers,
		body: JSON.stringify({
			model: 'runway-act-two',
			input: {
				character: { type: 'image', uri: api.character },
				reference: { type: 'video', uri: api.driving },
			},
		}),
	});
	const created = (await res.json()) as { data?: { taskId?: string } };
	const taskId = String(created.data?.taskId ?? '');
	if (!taskId) throw new Error(`createTask answered ${res.status} ${JSON.stringify(created)}`);
	const body = await until(
		`task ${taskId} to succeed`,
		async () => {
			const r = await fetch(
				`${api.baseUrl}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`,
				{ headers },
			);
			const b = (await r.json()) as Record<string, unknown> & { data?: { state?: string } };
			return b.data?.state === 'success' ? b : null;
		},
		60_000,
		300,
	);
	return { taskId, body };
}
