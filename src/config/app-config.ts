import type { LogLevel } from '@nestjs/common';
import type { ReplicaAcknowledgementConfig } from './read-replica-acknowledgement.js';
import type { LoginThrottleConfig } from './read-throttle-config.js';

/** A `host:port` pair from a comma-separated list such as `REDIS_SENTINELS`. */
export interface HostAndPort {
  host: string;
  port: number;
}

/** The one Redis topology the app connects to. */
export type RedisTopology =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; sentinels: HostAndPort[]; name: string }
  | { kind: 'cluster'; nodes: HostAndPort[] };

/** The NestJS HTTP platforms the app runs on (`HTTP_ADAPTER`); the first is the default. */
export const HTTP_ADAPTER_NAMES = ['express', 'fastify'] as const;

/** One of `HTTP_ADAPTER_NAMES`. */
export type HttpAdapterName = (typeof HTTP_ADAPTER_NAMES)[number];

/**
 * Express's `trust proxy` setting: a boolean, a hop count, or addresses/subnets/presets
 * (`loopback`, `10.0.0.0/8, 127.0.0.1`). On Fastify it is given the same meaning.
 */
export type TrustProxySetting = boolean | number | string;

/** The app's configuration, parsed and validated once at start (see `loadAppConfig`). */
export interface AppConfig {
  /** `PORT`; 0 lets the OS pick one. */
  port: number;
  /** `NODE_ENV=production`: turns on `Secure` cookies with the `__Host-` name. */
  production: boolean;
  httpAdapter: HttpAdapterName;
  /** `TRUST_PROXY`, with Express's meaning on both platforms; `undefined` trusts nothing. */
  trustProxy: TrustProxySetting | undefined;
  /** `LOG_LEVEL` and every more severe level. */
  logLevels: LogLevel[];
  redis: RedisTopology;
  /**
   * `REDIS_KEY_PREFIX`: put before every key the app writes (sessions under `<prefix>sess:`,
   * users under `<prefix>app:`), so several apps or test runs can share one Redis.
   */
  redisKeyPrefix: string;
  session: {
    idleTimeoutSeconds: number;
    absoluteTimeoutSeconds: number;
    touchIntervalSeconds: number;
    /** `SESSION_WAIT_REPLICAS`, `SESSION_WAIT_TIMEOUT_MS`; `null` (the default) when off. */
    replicaAcknowledgement: ReplicaAcknowledgementConfig | null;
  };
  /** `ADMIN_EMAIL`, normalised like every stored email; `null` when unset. */
  adminEmail: string | null;
  /** `LOGIN_MAX_FAILURES_PER_EMAIL`, `LOGIN_MAX_FAILURES_PER_IP`, `LOGIN_FAILURE_WINDOW_SECONDS`. */
  loginThrottle: LoginThrottleConfig;
}

/** DI token of the `AppConfig`. */
export const APP_CONFIG = Symbol('AppConfig');
