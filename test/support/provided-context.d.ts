import type { HttpAdapterName, RedisTopology } from '../../src/config/app-config.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The Redis every test of the project shares: a standalone server (`global-setup.ts`) or a
     * Cluster (`global-setup-cluster.ts`). `createTestApp` and `connectTestRedis` follow it.
     */
    redisTopology: RedisTopology;
    /**
     * `redis://127.0.0.1:PORT` of the standalone server started by `global-setup.ts`. On the
     * Cluster project it names one seed node: a plain client there gets MOVED for most keys, so
     * use `connectTestRedis()` and leave `createTestApp` to follow `redisTopology`.
     */
    redisUrl: string;
    /**
     * The platform `createTestApp` builds the app on: `fastify` on the `e2e-fastify` project;
     * unset elsewhere, which means `express`.
     */
    httpAdapter?: HttpAdapterName;
  }
}
