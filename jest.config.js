/**
 * Three tiers, so a test boots only what it needs:
 *   unit         pure functions and fakes on 127.0.0.1; nothing started (npm run test:unit)
 *   replay       the workflow bundle and the committed histories; nothing started
 *   integration  a real PostgreSQL cluster and a real Temporal dev server from global-setup
 * `npm test` runs all three.
 */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  slowTestThreshold: 30,
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    { ...common, displayName: 'replay', roots: ['<rootDir>/test/replay'], testMatch: ['**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
