import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests import the library by its package name; this condition resolves it to source,
// so no build is needed before a test run. Node at run time resolves dist/ instead.
const sourceCondition = '@nest-redis-session/source';

const shared = {
  globals: true,
  pool: 'forks' as const,
  testTimeout: 20_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  resolve: { conditions: [sourceCondition, ...defaultServerConditions] },
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
  test: {
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: 'unit',
          include: ['libs/session/src/**/*.spec.ts', 'src/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'store',
          include: ['libs/session/test/**/*.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
