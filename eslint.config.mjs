// Lint rules that keep the architecture honest: Nx module boundaries fail the build when an app imports
// another app, when contracts import anything but zod, or when domain code imports a framework.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const frameworkImports = [
  'express', 'amqplib', 'pg', '@prisma/*', 'opossum', 'pino', 'prom-client', 'ioredis', 'stripe',
  '@opentelemetry/*', 'qrcode', 'jszip', 'nodemailer', 'rate-limiter-flexible',
  '@ttelgo/messaging', '@ttelgo/db', '@ttelgo/http', '@ttelgo/observability', '@ttelgo/runtime', '@ttelgo/testing',
  '**/infrastructure/**', '**/entry-points/**', '**/application/**',
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', '.nx/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], allowedExternalImports: ['zod', 'zod/*', 'node:crypto'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
            // End-to-end tests compose several services in one process: the one place that may import apps.
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:app', 'type:lib', 'type:contracts', 'type:testing'] },
          ],
        },
      ],
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Library tests use the test kit (vhosts, schemas, proxies); production library code may not.
    files: ['libs/*/test/**/*.ts', 'libs/**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
          ],
        },
      ],
    },
  },
  {
    // Component tests may start a simulator of an external provider in-process (never another of our services).
    files: ['apps/*/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@ttelgo/esimgo-sim', '@ttelgo/stripe-sim'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing', 'type:simulator'] },
          ],
        },
      ],
    },
  },
  {
    // End-to-end tests are the test-time composition root: they start every app in one process.
    files: ['e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Every Postgres connection comes from libs/db (createPgPool / createPgClient / createPrismaClient), which gives
    // each client an 'error' listener for its whole life: a pg client without one ends the process when its
    // connection dies (a database restart while it is checked out).
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['libs/db/src/pg-connections.ts', 'libs/db/src/prisma-client.factory.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.object.name='pg'][callee.property.name=/^(Client|Pool)$/]",
          message: "use createPgClient / createPgPool from '@ttelgo/db': every pg client needs an 'error' listener",
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'pg', importNames: ['Client', 'Pool'], message: "use createPgClient / createPgPool from '@ttelgo/db'" },
            { name: '@prisma/adapter-pg', message: "use createPrismaClient from '@ttelgo/db'" },
          ],
        },
      ],
    },
  },
  {
    // Domain code is plain TypeScript: no framework, no I/O, no outer layer.
    files: ['apps/*/src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': 'off',
      'no-restricted-imports': ['error', { patterns: frameworkImports.map((group) => ({ group: [group], message: 'domain code imports no framework or outer layer' })) }],
    },
  },
  {
    // A promise a test forgets to await is a check that cannot fail: `expect(p).rejects...`, `waitFor(...)` or an
    // assertion helper would settle after the test has passed. Type-aware, so only on test code.
    files: ['apps/*/test/**/*.ts', 'libs/*/test/**/*.ts', 'e2e/**/*.ts', 'scripts/test/**/*.ts', '**/*.spec.ts', 'libs/testing/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Scripts and benchmarks are command-line tools: printing to the terminal is their job.
    files: ['scripts/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // scripts/ is the Nx project `scripts` (type:tool; it builds the image's migration command): it may use the
    // libraries, and the contracts' snapshot tooling, which is not part of the library's public entry point.
    files: ['scripts/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['../libs/contracts/tooling/*'],
          depConstraints: [{ sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] }],
        },
      ],
    },
  },
];
