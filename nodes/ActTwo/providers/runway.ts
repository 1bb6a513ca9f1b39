import { runwayShapeCredits } from './credits';
import { createWithoutId, taskAskedFor } from './malformed';
import { parseRunwayTask, runwayCreateBody } from './runway-format';
import { runwayUrlRules } from './runway-url-rules';
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
	creditPricing: {
		perSecond: { act_two: 5 },
		roundUpSeconds: true,
		exploreModeFree: false,
		source: 'Runway prices Act-Two at 5 credits per second of output',
	},
	urlInputRules: runwayUrlRules,

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
		return makeTask('runway', 'act_two', id, 'queued', body, {
			cost: runwayShapeCredits(body, 'queued'),
		});
	},

	async get(client, taskId) {
		const body = await client.request({
			method: 'GET',
			url: `/v1/tasks/${encodeURIComponent(taskId)}`,
			retry: 'idempotent',
		});
		const task = parseRunwayTask('runway', body);
		task.cost = runwayShapeCredits(body, task.status);
		return taskAskedFor(task, taskId);
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
