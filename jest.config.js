/** Two fast projects (unit, integration); the real-n8n e2e suite has its own config. */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }];
// roots keep jest's file crawl away from .cache/ (n8n's 2 000+ packages) and throw-away n8n folders.
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	rootDir: __dirname,
	roots: ['<rootDir>/test', '<rootDir>/nodes', '<rootDir>/credentials'],
};
module.exports = {
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{
			...common,
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			testTimeout: 60000,
		},
	],
};
