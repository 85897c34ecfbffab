import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisSessionStore } from 'nest-redis-session';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { createRedisClient } from '../src/redis/create-redis-client.js';
import { resolveSessionOptions } from '../src/options/resolve-session-options.js';
import { addressOfToken, generateSessionToken, randomShard } from '../src/token/session-token.js';

/*
 * ioredis keeps one auto-pipeline in flight per node: with `enableAutoPipelining`, a client
 * the module builds sends its session scripts straight away instead, while the application's
 * own commands on that client keep the auto-pipeline.
 */
describe('the module client with enableAutoPipelining', () => {
  const options = resolveSessionOptions({ redis: { url: 'redis://unused' } });
  const clients: Array<Redis | Cluster> = [];

  afterAll(() => {
    for (const client of clients) client.disconnect();
  });

  function moduleClient(extra: Record<string, unknown> = {}): Redis {
    const client = createRedisClient(
      { url: inject('redisUrl'), options: { enableAutoPipelining: true, ...extra } },
      options,
    ) as Redis;
    clients.push(client);
    return client;
  }

  it('sends the read script at once, and queues a GET of the application on the auto-pipeline', async () => {
    // The module's clients do not queue commands while connecting: connect first.
    const client = moduleClient({ lazyConnect: true });
    await client.connect();
    const store = new RedisSessionStore(client, uniquePrefix('ap'));
    const address = addressOfToken(generateSessionToken(randomShard()));

    const read = store.read(address, {
      nowMs: Date.now(),
      idleTimeoutMs: 60_000,
      touchIntervalMs: 1000,
    });
    const scriptsQueued = client.autoPipelineQueueSize;
    const get = client.get(uniquePrefix('ap-get'));
    const getsQueued = client.autoPipelineQueueSize;

    expect({ scriptsQueued, getsQueued }).toEqual({ scriptsQueued: 0, getsQueued: 1 });
    expect(await read).toEqual({ status: 'missing' });
    expect(await get).toBeNull();
  });

  it("keeps the application's own ignored commands", () => {
    const client = moduleClient({ lazyConnect: true, autoPipeliningIgnoredCommands: ['hgetall'] });

    expect(client.options.autoPipeliningIgnoredCommands).toEqual(['hgetall', 'evalsha', 'eval']);
  });

  it('does the same for Sentinel and Cluster clients', () => {
    const sentinel = createRedisClient(
      {
        sentinels: [{ host: '127.0.0.1', port: 1 }],
        name: 'mymaster',
        options: { lazyConnect: true, enableAutoPipelining: true },
      },
      options,
    ) as Redis;
    const cluster = createRedisClient(
      {
        clusterNodes: [{ host: '127.0.0.1', port: 1 }],
        clusterOptions: { lazyConnect: true, enableAutoPipelining: true },
      },
      options,
    ) as Cluster;
    clients.push(sentinel, cluster);

    expect(sentinel.options.autoPipeliningIgnoredCommands).toEqual(['evalsha', 'eval']);
    expect(cluster.options.autoPipeliningIgnoredCommands).toEqual(['evalsha', 'eval']);
  });
});
