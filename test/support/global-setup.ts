import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-server.js';

/**
 * One throwaway redis-server per project run; specs read it with `inject('redisTopology')`
 * (what `createTestApp` and `connectTestRedis` use) or `inject('redisUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  project.provide('redisTopology', { kind: 'standalone', url: server.url });
  return () => server.stop();
}
