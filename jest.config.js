/** One jest run over every package; ts-jest transpiles only (tsc --build type-checks first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  // The chaos suite has its own config and command (npm run test:chaos).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }] },
  moduleNameMapper: {
    '^@alertgw/shared$': '<rootDir>/packages/shared/src/index.ts',
    '^@alertgw/shared/testing$': '<rootDir>/packages/shared/src/testing/index.ts',
  },
  globalSetup: '<rootDir>/packages/shared/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/packages/shared/src/testing/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
