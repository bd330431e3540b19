/**
 * The chaos suite (`npm run test:chaos`): whole services as processes, killed and restarted,
 * providers and Redis made to fail. Slow by nature, so apart from `npm test`; `.ci/run` runs both.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/chaos'],
  testMatch: ['**/*.chaos.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 15 * 60_000,
  // Scenarios kill processes and Redis servers on purpose: one at a time, so their figures are their own.
  maxWorkers: 1,
};
