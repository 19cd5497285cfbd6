// Tests are compiled by tsc (npm test builds first) and run as native ESM, so
// jest needs no transform and ESM-only packages (client-node) load as is.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test'],
  testMatch: ['**/*.test.js'],
  transform: {},
  globalSetup: '<rootDir>/build/test/cluster/jest-global-setup.js',
  globalTeardown: '<rootDir>/build/test/cluster/jest-global-teardown.js',
  testTimeout: 180000,
  maxWorkers: 2,
};
