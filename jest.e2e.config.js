/** Real n8n end-to-end suite: one n8n process shared by all files (globalSetup), run serially. */
module.exports = {
	testEnvironment: 'node',
	rootDir: __dirname,
	roots: ['<rootDir>/test', '<rootDir>/nodes', '<rootDir>/credentials'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	testTimeout: 180000,
	maxWorkers: 1,
};
