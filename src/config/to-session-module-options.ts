import type { SessionModuleOptions } from 'nest-redis-session';
import type { AppConfig } from './app-config.js';

/** Appended to the module's one log line when Redis is unreachable. */
// Appended to the module's "Redis unreachable" line: what to check depends on the topology.
const CONNECTION_HINTS: Record<AppConfig['redis']['kind'], string> = {
  standalone: 'start one with `redis-server` or `docker compose up -d redis`, or set REDIS_URL',
  sentinel: 'check that the sentinels in REDIS_SENTINELS are up and monitor REDIS_SENTINEL_NAME',
  cluster: 'check the nodes in REDIS_CLUSTER_NODES (`redis-cli -c cluster info`)',
};

/** The SessionModule settings that follow from the app's configuration. */
export function toSessionModuleOptions(config: AppConfig): SessionModuleOptions {
  return {
    redis: toRedisOption(config),
    keyPrefix: `${config.redisKeyPrefix}sess:`,
    cookie: { secure: config.production },
    idleTimeoutSeconds: config.session.idleTimeoutSeconds,
    absoluteTimeoutSeconds: config.session.absoluteTimeoutSeconds,
    touchIntervalSeconds: config.session.touchIntervalSeconds,
    ...(config.session.replicaAcknowledgement !== null && {
      replicaAcknowledgement: { ...config.session.replicaAcknowledgement },
    }),
    connectionHint: CONNECTION_HINTS[config.redis.kind],
  };
}

function toRedisOption(config: AppConfig): SessionModuleOptions['redis'] {
  const { redis } = config;
  switch (redis.kind) {
    case 'standalone':
      return { url: redis.url };
    case 'sentinel':
      return { sentinels: redis.sentinels, name: redis.name };
    case 'cluster':
      return { clusterNodes: redis.nodes };
  }
}
