// Listing time: RedisSessionStore.list(userId) called sequentially (one in flight) from one
// process. Prints one JSON line with the median, p99, min and max of the call times (ms) and
// the number of sessions the last call returned.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisSessionStore, failFastRedisOptions } from 'nest-redis-session';
import { whenReady } from './ready.mjs';
import { percentile, median } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    prefix: { type: 'string' },
    user: { type: 'string' },
    iterations: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
  },
});

const client = new Redis(values.url, failFastRedisOptions(1000));
await whenReady(client);
const store = new RedisSessionStore(client, values.prefix);
const clock = () => ({ nowMs: Date.now(), idleTimeoutMs: 1_800_000 });
let listed = [];
for (let i = 0; i < Number(values.warmup); i++) listed = await store.list(values.user, clock());
const times = [];
for (let i = 0; i < Number(values.iterations); i++) {
  const start = performance.now();
  listed = await store.list(values.user, clock());
  times.push(performance.now() - start);
}
client.disconnect();
process.stdout.write(
  `${JSON.stringify({
    medianMs: median(times),
    p99Ms: percentile(times, 99),
    minMs: Math.min(...times),
    maxMs: Math.max(...times),
    sessions: listed.length,
  })}\n`,
);
