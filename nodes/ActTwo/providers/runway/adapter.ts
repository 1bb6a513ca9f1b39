import { runwayShapeCredits } from '../common/credits';
import { createWithoutId, taskAskedFor } from '../common/malformed';
import { parseRunwayTask, runwayCreateBody } from '../common/runway-format';
import { runwayUrlRules } from './url-rules';
import { asObject, asString, makeTask } from '../common/task';
import { runwayUpload, RUNWAY_UPLOAD_LIMIT } from './upload';
import type { ApiClient, CreateInput, ProviderAdapter } from '../../core/types';

const NAME = 'Runway';

export { RUNWAY_UPLOAD_LIMIT } from './upload';

export const runwayAdapter: ProviderAdapter = {
	id: 'runway',
	displayName: NAME,
	summary: "Runway's official developer API; polling only",
	credentialType: 'runwayApi',
	capabilities: {
		models: ['act_two'],
		cancel: true,
		callbacks: [],
		callbackRequired: [],
		uploads: true,
		urlInputs: 'direct',
		assetIds: 'uri',
		defaultConcurrency: 2,
	},
	limits: {
		seed: { min: 0, max: 4294967295 },
		upload: { maxBytes: RUNWAY_UPLOAD_LIMIT.max },
		assetId: {
			pattern: /^(runway:|data:|https:)/,
			rule: 'a runway:// URI from the Upload operation',
		},
	},
	options: {
		act_two: ['ratio', 'bodyControl', 'expressionIntensity', 'seed', 'publicFigureThreshold'],
	},
	errors: { taskList: 'the task history of your Runway developer portal (dev.runwayml.com)' },
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
		if (!id) throw createWithoutId('runway', body, NAME);
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
		return taskAskedFor(task, taskId, false, NAME);
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
