import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import type { RedisTopology } from '../../src/config/app-config.js';

/** A client of either kind; both have the same key commands (`hget`, `pttl`, `quit`, ...). */
export type TestRedisClient = Redis | Cluster;

/** The Redis the project's globalSetup started: standalone (`e2e`) or a Cluster (`e2e-cluster`). */
export function testRedisTopology(): RedisTopology {
  return inject('redisTopology');
}

/**
 * A client for inspecting or planting keys in the project's Redis: a plain client on a
 * standalone server, an ioredis `Cluster` on a Cluster (a plain one would get MOVED for keys of
 * other nodes). Close it with `quit()`.
 */
export function connectTestRedis(topology: RedisTopology = testRedisTopology()): TestRedisClient {
  switch (topology.kind) {
    case 'standalone':
      return new Redis(topology.url);
    case 'cluster':
      return new Cluster(topology.nodes.map(({ host, port }) => ({ host, port })));
    case 'sentinel':
      return new Redis({ sentinels: topology.sentinels, name: topology.name });
  }
}

/** The environment variables that point the app at `topology`, as an operator would set them. */
export function redisTopologyEnv(topology: RedisTopology): NodeJS.ProcessEnv {
  const hostList = (nodes: ReadonlyArray<{ host: string; port: number }>) =>
    nodes.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`));
  switch (topology.kind) {
    case 'standalone':
      return { REDIS_URL: topology.url };
    case 'cluster':
      return { REDIS_CLUSTER_NODES: hostList(topology.nodes).join(',') };
    case 'sentinel':
      return {
        REDIS_SENTINELS: hostList(topology.sentinels).join(','),
        REDIS_SENTINEL_NAME: topology.name,
      };
  }
}
