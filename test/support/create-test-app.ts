import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import type { AppConfig, HttpAdapterName, RedisTopology } from '../../src/config/app-config.js';
import { loadAppConfig } from '../../src/config/load-app-config.js';
import { redisTopologyEnv, testRedisTopology } from './test-redis-client.js';

/** What a test may set; everything else comes from the app's own defaults. */
export interface TestAppSettings {
  /**
   * The Redis the app uses. Default: the project's, from its globalSetup (a standalone server
   * on `e2e`, a Cluster on `e2e-cluster`); a test that runs its own topology passes it here.
   */
  redis?: RedisTopology;
  /**
   * A standalone server of the test's own (one it kills, say). `inject('redisUrl')` here means
   * the project's Redis, so it follows the project's topology like leaving both unset.
   */
  redisUrl?: string;
  /** Every key the app writes starts with it (`uniquePrefix()`), so files never collide. */
  keyPrefix: string;
  /** `NODE_ENV=production`: `__Host-sid`, Secure. Off by default, so the cookie is `sid`. */
  production?: boolean;
  adminEmail?: string;
  idleTimeoutSeconds?: number;
  absoluteTimeoutSeconds?: number;
  touchIntervalSeconds?: number;
  /** `SESSION_WAIT_REPLICAS`: replica acknowledgement of logins and revocations (off by default). */
  waitReplicas?: number;
  /** `SESSION_WAIT_TIMEOUT_MS` (the app's default 200 when unset). */
  waitTimeoutMs?: number;
  /** `LOGIN_*` throttle settings; each defaults to the app's own (5 / 50 per 900 s). */
  loginThrottle?: {
    maxFailuresPerEmail?: number;
    maxFailuresPerIp?: number;
    failureWindowSeconds?: number;
  };
  /** `TRUST_PROXY`, as the variable would hold it. */
  trustProxy?: string;
  /** `LOG_LEVEL`; `warn` unless given. */
  logLevel?: string;
  /**
   * Takes every line the app logs (Nest's and the request log's, as JSON) instead of stdout:
   * a `CapturingLogger`, to look at them.
   */
  logger?: DestinationStream;
  /**
   * `HTTP_ADAPTER`. Default: the project's (`fastify` on `e2e-fastify`, from its `provide`),
   * else `express`.
   */
  httpAdapter?: HttpAdapterName;
}

function redisOf(settings: TestAppSettings): RedisTopology {
  if (settings.redis !== undefined && settings.redisUrl !== undefined) {
    throw new Error('createTestApp: give either redis or redisUrl, not both');
  }
  if (settings.redis !== undefined) return settings.redis;
  if (settings.redisUrl === undefined || settings.redisUrl === inject('redisUrl')) {
    return testRedisTopology();
  }
  return { kind: 'standalone', url: settings.redisUrl };
}

/** The config `createApp` gets, built through `loadAppConfig` exactly as `main.ts` builds it. */
export function testAppConfig(settings: TestAppSettings): AppConfig {
  const env: NodeJS.ProcessEnv = {
    ...redisTopologyEnv(redisOf(settings)),
    REDIS_KEY_PREFIX: settings.keyPrefix,
    NODE_ENV: settings.production === true ? 'production' : 'test',
    ADMIN_EMAIL: settings.adminEmail,
    SESSION_IDLE_TIMEOUT: settings.idleTimeoutSeconds?.toString(),
    SESSION_ABSOLUTE_TIMEOUT: settings.absoluteTimeoutSeconds?.toString(),
    SESSION_TOUCH_INTERVAL: settings.touchIntervalSeconds?.toString(),
    SESSION_WAIT_REPLICAS: settings.waitReplicas?.toString(),
    SESSION_WAIT_TIMEOUT_MS: settings.waitTimeoutMs?.toString(),
    LOGIN_MAX_FAILURES_PER_EMAIL: settings.loginThrottle?.maxFailuresPerEmail?.toString(),
    LOGIN_MAX_FAILURES_PER_IP: settings.loginThrottle?.maxFailuresPerIp?.toString(),
    LOGIN_FAILURE_WINDOW_SECONDS: settings.loginThrottle?.failureWindowSeconds?.toString(),
    TRUST_PROXY: settings.trustProxy,
    // Errors still show (an unexpected 500 logs its stack); routine start-up lines do not.
    LOG_LEVEL: settings.logLevel ?? 'warn',
    HTTP_ADAPTER: settings.httpAdapter ?? inject('httpAdapter'),
  };
  return loadAppConfig(env);
}

/** The sample app, initialised (not listening): hand `app.getHttpServer()` to supertest. */
export async function createTestApp(settings: TestAppSettings): Promise<INestApplication> {
  const config = testAppConfig(settings);
  const app = await createApp(config, { logDestination: settings.logger });
  await app.init();
  await untilReadyForRequests(app, config);
  return app;
}

/**
 * Fastify loads its plugins (the static assets among them) and answers requests only once
 * `ready()` has run; `listen()` runs it, but supertest is handed the bare server.
 */
export async function untilReadyForRequests(
  app: INestApplication,
  config: AppConfig,
): Promise<void> {
  if (config.httpAdapter === 'fastify') {
    const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
    await fastify.ready();
  }
}
