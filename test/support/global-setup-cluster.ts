import type { TestProject } from 'vitest/node';
import { startClusterTopology } from './redis-topologies.js';

/**
 * The `e2e-cluster` project's Redis: three primaries and three replicas on free loopback ports
 * (RELIABILITY.md §3.2), shared by every spec of the run as the standalone server is by the
 * `e2e` project. `createTestApp` and `connectTestRedis` read `inject('redisTopology')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startClusterTopology();
  const nodes = cluster.nodes.map(({ host, port }) => ({ host, port }));
  project.provide('redisTopology', { kind: 'cluster', nodes });
  // Never left unset: an unset URL would make `new Redis(inject('redisUrl'))` connect to 6379.
  const [seed] = nodes;
  if (seed === undefined) throw new Error('the cluster topology has no nodes');
  project.provide('redisUrl', `redis://${seed.host}:${seed.port}`);
  return () => cluster.stop();
}
