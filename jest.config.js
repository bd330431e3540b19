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
    '^@alertgw/testkit$': '<rootDir>/packages/testkit/src/index.ts',
  },
  globalSetup: '<rootDir>/packages/testkit/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/testkit/src/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
