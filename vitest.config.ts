import { availableParallelism } from 'node:os';
import { defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests import the library by its package name; this condition resolves it to source,
// so no build is needed before a test run. Node at run time resolves dist/ instead.
const sourceCondition = '@nest-redis-session/source';

// The e2e files the `e2e-cluster` project leaves out (R9 runs every other one on a Cluster).
// Files that use the shared Redis and start a server of their own only for one describe (an
// outage, a command count) stay in: their shared-Redis tests are what R9 is about.
const NOT_ON_THE_SHARED_CLUSTER = [
  // They start, kill and restart standalone servers of their own: the outage is the subject.
  'test/redis-outage.e2e-spec.ts',
  'test/app-boot-without-redis.e2e-spec.ts',
  // The standalone test-server harness itself (free ports, PID stops, AOF restart), not the app.
  'test/support/redis-server.e2e-spec.ts',
  // Runs the app only on a standalone server of its own (AOF on, an outage on purpose): nothing
  // of it touches the shared Redis, so on this project it would only repeat the e2e run.
  'test/security/no-secrets-in-logs.e2e-spec.ts',
  // Starts a Cluster of its own for its throttling-on-Cluster tests and a standalone server for
  // its outage test; the rest would repeat on this project what that describe already covers.
  'test/security/asvs-2.2.1-anti-automation.e2e-spec.ts',
  // They run Sentinel / Cluster topologies of their own to kill nodes in; already topology tests.
  'test/sentinel-failover.e2e-spec.ts',
  'test/cluster.e2e-spec.ts',
];

// The e2e files the `e2e-fastify` project leaves out; every other one runs with the app on
// Fastify. The outage, boot-without-Redis and throttling files stay in: their 503 and 429
// answers go through exception filters that write to the platform's response.
const NOT_ON_FASTIFY = [
  // The standalone test-server harness itself (free ports, PID stops, AOF restart), not the app.
  'test/support/redis-server.e2e-spec.ts',
  // Builds the app on both platforms itself to compare their answers: it would only repeat.
  'test/http-platform-parity.e2e-spec.ts',
  // Failover on Sentinel / Cluster topologies of their own: what they test is the Redis side,
  // and the 503 path they also see is covered on Fastify by redis-outage.e2e-spec.ts.
  'test/sentinel-failover.e2e-spec.ts',
  'test/cluster.e2e-spec.ts',
];

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
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core CI
    // machine. The e2e files mostly wait on Redis, sockets and timers, so one per core ran the
    // suite in 451-508 s instead of 712 s, with every test passing (two runs).
    maxWorkers: availableParallelism(),
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
      {
        extends: true,
        test: {
          ...shared,
          // The same e2e files against a 3 + 3 Redis Cluster (RELIABILITY.md R9: no CROSSSLOT
          // on any path); createTestApp and connectTestRedis follow inject('redisTopology').
          name: 'e2e-cluster',
          include: ['test/**/*.e2e-spec.ts'],
          exclude: [...configDefaults.exclude, ...NOT_ON_THE_SHARED_CLUSTER],
          globalSetup: ['test/support/global-setup-cluster.ts'],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          // The same e2e files with the app on @nestjs/platform-fastify (HTTP_ADAPTER=fastify):
          // one contract on both platforms. createTestApp follows inject('httpAdapter').
          name: 'e2e-fastify',
          include: ['test/**/*.e2e-spec.ts'],
          exclude: [...configDefaults.exclude, ...NOT_ON_FASTIFY],
          globalSetup: ['test/support/global-setup.ts'],
          provide: { httpAdapter: 'fastify' },
        },
      },
    ],
  },
});
