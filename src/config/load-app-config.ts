import { isIP } from 'node:net';
import { LOG_LEVELS, type LogLevel } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { normalizeEmail } from '../users/normalize-email.js';
import {
  HTTP_ADAPTER_NAMES,
  type AppConfig,
  type HttpAdapterName,
  type TrustProxySetting,
} from './app-config.js';
import { InvalidAppConfigError } from './invalid-app-config.error.js';
import { readEnvVariable, type Env } from './read-env-variable.js';
import { readRedisTopology } from './read-redis-topology.js';
import { readReplicaAcknowledgement } from './read-replica-acknowledgement.js';
import { readLoginThrottleConfig } from './read-throttle-config.js';

const DEFAULT_PORT = 3000;
const DEFAULT_IDLE_TIMEOUT_SECONDS = 1800;
const DEFAULT_ABSOLUTE_TIMEOUT_SECONDS = 604_800;
const DEFAULT_TOUCH_INTERVAL_SECONDS = 60;
const DEFAULT_LOG_LEVEL: LogLevel = 'log';
const TRUST_PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Parses and validates the environment once, at start. Every bad variable is reported in one
 * `InvalidAppConfigError`, so a misconfigured deployment is fixed in one round, not one per
 * variable.
 */
export function loadAppConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const idleTimeoutSeconds = readInteger(
    env,
    'SESSION_IDLE_TIMEOUT',
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    1,
    problems,
  );
  const absoluteTimeoutSeconds = readInteger(
    env,
    'SESSION_ABSOLUTE_TIMEOUT',
    DEFAULT_ABSOLUTE_TIMEOUT_SECONDS,
    1,
    problems,
  );
  const touchIntervalSeconds = readInteger(
    env,
    'SESSION_TOUCH_INTERVAL',
    DEFAULT_TOUCH_INTERVAL_SECONDS,
    1,
    problems,
  );
  if (idleTimeoutSeconds > absoluteTimeoutSeconds) {
    problems.push(
      `SESSION_IDLE_TIMEOUT (${idleTimeoutSeconds}) must not exceed SESSION_ABSOLUTE_TIMEOUT (${absoluteTimeoutSeconds})`,
    );
  }
  if (touchIntervalSeconds >= idleTimeoutSeconds) {
    problems.push(
      `SESSION_TOUCH_INTERVAL (${touchIntervalSeconds}) must be below SESSION_IDLE_TIMEOUT (${idleTimeoutSeconds})`,
    );
  }

  const config: AppConfig = {
    port: readInteger(env, 'PORT', DEFAULT_PORT, 0, problems, 65_535),
    production: readEnvVariable(env, 'NODE_ENV') === 'production',
    httpAdapter: readHttpAdapter(env, problems),
    trustProxy: readTrustProxy(env, problems),
    logLevels: readLogLevels(env, problems),
    redis: readRedisTopology(env, problems),
    redisKeyPrefix: readKeyPrefix(env, problems),
    session: {
      idleTimeoutSeconds,
      absoluteTimeoutSeconds,
      touchIntervalSeconds,
      replicaAcknowledgement: readReplicaAcknowledgement(env, problems),
    },
    adminEmail: readAdminEmail(env, problems),
    loginThrottle: readLoginThrottleConfig(env, problems),
  };
  if (problems.length > 0) throw new InvalidAppConfigError(problems);
  return config;
}

function readInteger(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  problems: string[],
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = readEnvVariable(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    problems.push(`${name}: received ${JSON.stringify(raw)}, expected an integer ${range}`);
    return fallback;
  }
  return value;
}

function readHttpAdapter(env: Env, problems: string[]): HttpAdapterName {
  const raw = readEnvVariable(env, 'HTTP_ADAPTER');
  if (raw === undefined) return 'express';
  if (isHttpAdapterName(raw)) return raw;
  problems.push(
    `HTTP_ADAPTER: received ${JSON.stringify(raw)}, expected one of ${HTTP_ADAPTER_NAMES.join(', ')}`,
  );
  return 'express';
}

function isHttpAdapterName(raw: string): raw is HttpAdapterName {
  return (HTTP_ADAPTER_NAMES as readonly string[]).includes(raw);
}

function readTrustProxy(env: Env, problems: string[]): TrustProxySetting | undefined {
  const raw = readEnvVariable(env, 'TRUST_PROXY');
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  // Express compiles the list at start and would throw on a bad entry: report it here instead.
  const invalid = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => !TRUST_PROXY_PRESETS.includes(entry) && !isIpOrSubnet(entry));
  if (invalid.length > 0) {
    problems.push(
      `TRUST_PROXY: received ${JSON.stringify(raw)}, expected true, false, a hop count, or a comma-separated list of IP addresses, subnets (CIDR) and ${TRUST_PROXY_PRESETS.join('/')}`,
    );
  }
  return raw;
}

function isIpOrSubnet(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const maxPrefix = isIP(address) === 4 ? 32 : 128;
  return /^\d+$/.test(prefix) && Number(prefix) <= maxPrefix;
}

function readLogLevels(env: Env, problems: string[]): LogLevel[] {
  const raw = readEnvVariable(env, 'LOG_LEVEL') ?? DEFAULT_LOG_LEVEL;
  const index = LOG_LEVELS.findIndex((level) => level === raw);
  if (index === -1) {
    problems.push(
      `LOG_LEVEL: received ${JSON.stringify(raw)}, expected one of ${LOG_LEVELS.join(', ')}`,
    );
    return LOG_LEVELS.slice(LOG_LEVELS.indexOf(DEFAULT_LOG_LEVEL));
  }
  return LOG_LEVELS.slice(index);
}

function readKeyPrefix(env: Env, problems: string[]): string {
  const raw = readEnvVariable(env, 'REDIS_KEY_PREFIX') ?? '';
  // Braces would become the Cluster hash tag of every key and put all data on one shard.
  if (!/^[\x21-\x7a\x7c\x7e]*$/.test(raw)) {
    problems.push(
      `REDIS_KEY_PREFIX: received ${JSON.stringify(raw)}, expected printable ASCII without spaces, "{" or "}"`,
    );
  }
  return raw;
}

function readAdminEmail(env: Env, problems: string[]): string | null {
  const raw = readEnvVariable(env, 'ADMIN_EMAIL');
  if (raw === undefined) return null;
  if (!isEmail(raw)) {
    problems.push(`ADMIN_EMAIL: received ${JSON.stringify(raw)}, expected an email address`);
  }
  return normalizeEmail(raw);
}
