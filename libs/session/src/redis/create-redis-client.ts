import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import type { SessionRedisOption } from '../options/session-module-options.interface.js';

/** Either kind of ioredis client the module can talk to. */
export type SessionRedisClient = Redis | Cluster;

const MAX_RECONNECT_DELAY_MS = 500;

/**
 * Settings that make a dead or hung Redis cost a bounded time instead of ioredis's defaults
 * (no command timeout, 20 retries, an unbounded offline queue: 73 s to fail against a killed
 * server and forever against a hung one). Commands fail at once while disconnected and the
 * client reconnects within half a second of Redis coming back.
 */
export function failFastRedisOptions(commandTimeoutMs: number): RedisOptions {
  return {
    commandTimeout: commandTimeoutMs,
    socketTimeout: commandTimeoutMs + 500,
    connectTimeout: Math.max(commandTimeoutMs, 1000),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    disconnectTimeout: 300,
    retryStrategy: (attempt: number) =>
      Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS) +
      Math.floor(Math.random() * 50),
    // A primary demoted to replica answers READONLY: reconnect and fail this command (503);
    // resending (2) loops while the node is still a replica.
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 1 : false),
  };
}

/**
 * The commands that carry the module's scripts, kept out of ioredis's auto-pipeline on the
 * clients the module builds. ioredis keeps one auto-pipeline in flight per node and settles its
 * commands together when the last reply is in, so with `enableAutoPipelining` Node waits for
 * Redis to run a whole batch before it sends the next. A GET costs Redis under 1 us, a session
 * read 7.5 us (bench/profiles/store-read.md): batched, Node and Redis took turns instead of
 * working at once, and store reads ran a quarter to nearly half slower than without
 * auto-pipelining (BENCHMARKS.md). The application's other commands on the client keep the
 * auto-pipeline.
 */
const SCRIPT_COMMANDS = ['evalsha', 'eval'];

function withScriptsOutOfAutoPipeline<T extends { autoPipeliningIgnoredCommands?: string[] }>(
  options: T,
): T {
  const ignored = options.autoPipeliningIgnoredCommands ?? [];
  return {
    ...options,
    autoPipeliningIgnoredCommands: [
      ...ignored,
      ...SCRIPT_COMMANDS.filter((command) => !ignored.includes(command)),
    ],
  };
}

/** Builds the client for connection settings; a given client is returned as is. */
export function createRedisClient(
  redis: Exclude<SessionRedisOption, { client: unknown }>,
  options: ResolvedSessionOptions,
): SessionRedisClient {
  const failFast = failFastRedisOptions(options.commandTimeoutMs);
  if ('url' in redis) {
    return new Redis(redis.url, withScriptsOutOfAutoPipeline({ ...failFast, ...redis.options }));
  }
  if ('sentinels' in redis) {
    return new Redis(
      withScriptsOutOfAutoPipeline({
        ...failFast,
        // Without the detector a paused primary keeps taking writes after Sentinel replaced it.
        failoverDetector: true,
        ...redis.options,
        sentinels: redis.sentinels,
        name: redis.name,
        sentinelPassword: redis.sentinelPassword,
      }),
    );
  }
  return new Cluster(
    redis.clusterNodes,
    withScriptsOutOfAutoPipeline({
      // Sessions must be read from primaries: a replica may miss a login or a revocation.
      scaleReads: 'master' as const,
      enableOfflineQueue: false,
      retryDelayOnFailover: 100,
      maxRedirections: 16,
      ...redis.clusterOptions,
      redisOptions: { ...failFast, ...redis.clusterOptions?.redisOptions },
    }),
  );
}

/** Where a client connects, for log lines; never includes a password. */
export function describeRedisTarget(redis: SessionRedisOption): string {
  if ('url' in redis) {
    try {
      const url = new URL(redis.url);
      return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    } catch {
      return 'the configured Redis URL';
    }
  }
  if ('sentinels' in redis) {
    return `Sentinel "${redis.name}" via ${redis.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
  if ('clusterNodes' in redis) {
    return `Cluster via ${redis.clusterNodes.map((n) => (typeof n === 'object' ? `${n.host}:${n.port}` : String(n))).join(',')}`;
  }
  return 'the Redis client given to SessionModule';
}
