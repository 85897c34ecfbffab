import { InvalidSessionOptionsError } from '../errors/invalid-session-options.error.js';
import { resolveCsrf } from './resolve-csrf-options.js';
import { DEFAULT_SESSION_OPTIONS } from './session-defaults.js';
import type { ResolvedSessionOptions } from './resolved-session-options.js';
import type {
  SessionModuleOptions,
  SessionRedisOption,
} from './session-module-options.interface.js';

// RFC 6265 cookie-name token characters.
const COOKIE_NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HOST_PREFIX = '__Host-';

/** Merges defaults and validates once, at boot; throws naming the first bad option. */
export function resolveSessionOptions(options: SessionModuleOptions): ResolvedSessionOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidSessionOptionsError('options', options, 'an object');
  }
  const defaults = DEFAULT_SESSION_OPTIONS;
  const idle = positiveInteger(
    'idleTimeoutSeconds',
    options.idleTimeoutSeconds ?? defaults.idleTimeoutSeconds,
  );
  const absolute = positiveInteger(
    'absoluteTimeoutSeconds',
    options.absoluteTimeoutSeconds ?? defaults.absoluteTimeoutSeconds,
  );
  const touch = positiveInteger(
    'touchIntervalSeconds',
    options.touchIntervalSeconds ??
      Math.min(defaults.touchIntervalSeconds, Math.floor(idle / 2) || 1),
  );
  // Whole seconds: with a 1-second idle timeout the only possible interval is 1 second.
  if (touch > idle || (touch === idle && idle > 1)) {
    throw new InvalidSessionOptionsError(
      'touchIntervalSeconds',
      touch,
      `fewer seconds than idleTimeoutSeconds (${idle})`,
    );
  }
  const keyPrefix = options.keyPrefix ?? defaults.keyPrefix;
  if (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix)) {
    throw new InvalidSessionOptionsError('keyPrefix', keyPrefix, 'a string without "{" or "}"');
  }
  const cookie = resolveCookie(options.cookie);
  const commandTimeoutMs = positiveInteger(
    'commandTimeoutMs',
    options.commandTimeoutMs ?? defaults.commandTimeoutMs,
  );
  return {
    redis: validateRedis(options.redis),
    keyPrefix,
    cookie,
    idleTimeoutMs: idle * 1000,
    absoluteTimeoutMs: absolute * 1000,
    touchIntervalMs: Math.min(touch, idle) * 1000,
    commandTimeoutMs,
    retryAfterSeconds: positiveInteger(
      'retryAfterSeconds',
      options.retryAfterSeconds ?? defaults.retryAfterSeconds,
    ),
    connectionHint: options.connectionHint,
    sessionLimit: resolveSessionLimit(options),
    replicaAcknowledgement: resolveReplicaAcknowledgement(
      options.replicaAcknowledgement,
      commandTimeoutMs,
    ),
    csrf: resolveCsrf(options.csrf),
    socketWrites: resolveSocketWrites(options.socketWrites),
    maxDataBytes: positiveInteger('maxDataBytes', options.maxDataBytes ?? defaults.maxDataBytes),
    elevationMs:
      positiveInteger('elevationSeconds', options.elevationSeconds ?? defaults.elevationSeconds) *
      1000,
  };
}

function resolveCookie(cookie: SessionModuleOptions['cookie']): ResolvedSessionOptions['cookie'] {
  const defaults = DEFAULT_SESSION_OPTIONS.cookie;
  const name = cookie?.name ?? defaults.name;
  if (typeof name !== 'string' || !COOKIE_NAME_PATTERN.test(name) || name.startsWith('__')) {
    throw new InvalidSessionOptionsError(
      'cookie.name',
      name,
      'a cookie-name token not starting with "__" (the prefix is added for you)',
    );
  }
  const secure = cookie?.secure ?? defaults.secure;
  if (typeof secure !== 'boolean') {
    throw new InvalidSessionOptionsError('cookie.secure', secure, 'true or false');
  }
  const sameSite = cookie?.sameSite ?? defaults.sameSite;
  if (sameSite !== 'lax' && sameSite !== 'strict') {
    throw new InvalidSessionOptionsError('cookie.sameSite', sameSite, '"lax" or "strict"');
  }
  return { name: secure ? HOST_PREFIX + name : name, secure, sameSite };
}

function validateRedis(redis: SessionRedisOption | undefined): SessionRedisOption {
  if (redis === null || typeof redis !== 'object') {
    throw new InvalidSessionOptionsError(
      'redis',
      redis,
      '{ client } | { url } | { sentinels, name } | { clusterNodes }',
    );
  }
  const forms = ['client', 'url', 'sentinels', 'clusterNodes'].filter((form) => form in redis);
  if (forms.length !== 1) {
    throw new InvalidSessionOptionsError(
      'redis',
      redis,
      'exactly one of client, url, sentinels or clusterNodes',
    );
  }
  if ('url' in redis && !/^rediss?:\/\//.test(redis.url)) {
    // The URL may carry a password: never quote it in a boot log.
    const shown = String(redis.url).replace(/\/\/[^/@]*@/, '//***@');
    throw new InvalidSessionOptionsError('redis.url', shown, 'a redis:// or rediss:// URL');
  }
  if (
    'sentinels' in redis &&
    (!Array.isArray(redis.sentinels) || redis.sentinels.length === 0 || !redis.name)
  ) {
    throw new InvalidSessionOptionsError(
      'redis.sentinels',
      redis.sentinels,
      'a non-empty list of { host, port } with redis.name',
    );
  }
  if (
    'clusterNodes' in redis &&
    (!Array.isArray(redis.clusterNodes) || redis.clusterNodes.length === 0)
  ) {
    throw new InvalidSessionOptionsError(
      'redis.clusterNodes',
      redis.clusterNodes,
      'a non-empty list of seed nodes',
    );
  }
  return redis;
}

function resolveReplicaAcknowledgement(
  value: SessionModuleOptions['replicaAcknowledgement'],
  commandTimeoutMs: number,
): ResolvedSessionOptions['replicaAcknowledgement'] {
  if (value === undefined) return undefined;
  const replicas = positiveInteger('replicaAcknowledgement.replicas', value?.replicas);
  const timeoutMs = positiveInteger('replicaAcknowledgement.timeoutMs', value?.timeoutMs);
  if (timeoutMs >= commandTimeoutMs) {
    throw new InvalidSessionOptionsError(
      'replicaAcknowledgement.timeoutMs',
      timeoutMs,
      `fewer milliseconds than commandTimeoutMs (${commandTimeoutMs}), or WAIT itself would time out`,
    );
  }
  return { replicas, timeoutMs };
}

function resolveSessionLimit(
  options: SessionModuleOptions,
): ResolvedSessionOptions['sessionLimit'] {
  const max = options.maxSessionsPerUser ?? DEFAULT_SESSION_OPTIONS.maxSessionsPerUser;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
    throw new InvalidSessionOptionsError(
      'maxSessionsPerUser',
      max,
      'a whole number, 0 for no limit',
    );
  }
  const policy = options.sessionLimitPolicy ?? DEFAULT_SESSION_OPTIONS.sessionLimitPolicy;
  if (policy !== 'evict-least-recently-used' && policy !== 'refuse') {
    throw new InvalidSessionOptionsError(
      'sessionLimitPolicy',
      policy,
      '"evict-least-recently-used" or "refuse"',
    );
  }
  return max === 0 ? undefined : { maxSessions: max, policy };
}

function resolveSocketWrites(
  value: SessionModuleOptions['socketWrites'],
): ResolvedSessionOptions['socketWrites'] {
  const socketWrites = value ?? DEFAULT_SESSION_OPTIONS.socketWrites;
  if (socketWrites !== 'coalesced' && socketWrites !== 'immediate') {
    throw new InvalidSessionOptionsError(
      'socketWrites',
      socketWrites,
      '"coalesced" or "immediate"',
    );
  }
  return socketWrites;
}

function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidSessionOptionsError(option, value, 'a positive whole number');
  }
  return value;
}
