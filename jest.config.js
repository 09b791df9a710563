// Jest for the whole monorepo: unit tests (*.spec.ts beside the code) and component/integration tests
// (test/<name>.test.ts) that run against the real Postgres and RabbitMQ of the machine.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/scripts', '<rootDir>/e2e'],
  testMatch: ['**/*.spec.ts', '**/test/**/*.test.ts', '<rootDir>/e2e/security/**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  moduleNameMapper: {
    // The simulators are apps; other projects' tests run them in-process (eslint allows it in tests only).
    '^@ttelgo/(esimgo-sim|stripe-sim)$': '<rootDir>/apps/$1/src/index.ts',
    '^@ttelgo/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/libs/testing/src/jest.global-setup.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  forceExit: false,
};
