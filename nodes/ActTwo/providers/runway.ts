import { createWithoutId, taskAskedFor } from './malformed';
import { parseRunwayTask, runwayCreateBody } from './runway-format';
import { asObject, asString, makeTask } from './task';
import { runwayUpload } from './runway-upload';
import type { ApiClient, CreateInput, ProviderAdapter } from './types';

export { RUNWAY_UPLOAD_LIMIT } from './runway-upload';

export const runwayAdapter: ProviderAdapter = {
	id: 'runway',
	displayName: 'Runway',
	credentialType: 'runwayApi',
	capabilities: {
		models: ['act_two'],
		cancel: true,
		callbacks: [],
		upload: 'runway',
		defaultConcurrency: 2,
	},

	async create(client: ApiClient, input: CreateInput) {
		const body = asObject(
			await client.request({
				method: 'POST',
				url: '/v1/character_performance',
				body: runwayCreateBody(input),
				retry: 'create',
			}),
		);
		const id = asString(body.id);
		if (!id) throw createWithoutId('runway', body);
		return makeTask('runway', 'act_two', id, 'queued', body);
	},

	async get(client, taskId) {
		const body = await client.request({
			method: 'GET',
			url: `/v1/tasks/${encodeURIComponent(taskId)}`,
			retry: 'idempotent',
		});
		return taskAskedFor(parseRunwayTask('runway', body), taskId);
	},

	async cancel(client, taskId) {
		await client.request({
			method: 'DELETE',
			url: `/v1/tasks/${encodeURIComponent(taskId)}`,
			headers: { Accept: '*/*' },
			retry: 'idempotent',
		});
	},

	upload: runwayUpload,

	parseCallback: () => null,
};
