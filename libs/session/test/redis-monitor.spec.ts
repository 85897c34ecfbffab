import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pollUntil } from '../../../test/support/poll-until.js';
import {
  clientAddress,
  parseMonitorLine,
  startRedisMonitor,
  type MonitoredCommand,
  type RedisMonitor,
} from '../../../test/support/redis-monitor.js';

// The MONITOR reader the slot checks rely on: they pass only if it reports every word exactly.
describe('startRedisMonitor on a real redis-server', () => {
  const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  // Connected and past ioredis's ready check (an INFO) before any monitor starts.
  beforeAll(() => client.ping());
  afterAll(() => client.quit());

  /** The commands of `client` the monitor reported, once it has all it sent so far. */
  async function commandsOfClient(monitor: RedisMonitor): Promise<MonitoredCommand[]> {
    await monitor.catchUp(client);
    const source = await clientAddress(client);
    return monitor.commands.filter((command) => command.source === source);
  }

  it('reports each word byte for byte: quotes, backslashes, control bytes and UTF-8', async () => {
    const key = `monitor-spec:${randomUUID()}:"quoted" back\\slash`;
    const value = 'line\nbreak\r\ttab\x07\b\x00nul é ✓ 🔑';
    const monitor = await startRedisMonitor(inject('redisUrl'));
    try {
      await client.set(key, value, 'PX', 60_000);
      const seen = await commandsOfClient(monitor);
      expect(seen[0]).toEqual({
        source: expect.any(String),
        args: ['set', key, value, 'PX', '60000'],
      });
    } finally {
      monitor.stop();
      await client.del(key);
    }
  });

  it('names "lua" as the source of commands a script runs', async () => {
    const key = `monitor-spec:${randomUUID()}`;
    const monitor = await startRedisMonitor(inject('redisUrl'));
    try {
      await client.eval("return redis.call('EXISTS', KEYS[1])", 1, key);
      await monitor.catchUp(client);
      expect(monitor.commands).toContainEqual({ source: 'lua', args: ['EXISTS', key] });
    } finally {
      monitor.stop();
    }
  });

  it('keeps every command in order when it starts while another client is busy', async () => {
    // ioredis's monitor() threw "Command queue state error" here: a line in the OK's packet.
    const busy = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
    await busy.ping(); // connected: the flood below is on the wire from its first batch
    let stop = false;
    let batches = 0;
    const flood = (async () => {
      while (!stop) {
        await Promise.all(Array.from({ length: 200 }, (_, i) => busy.ping(`f${i}`)));
        batches++;
      }
    })();
    try {
      await pollUntil(() => Promise.resolve(batches > 0), { deadlineMs: 5000, intervalMs: 1 });
      const monitor = await startRedisMonitor(inject('redisUrl'));
      try {
        const words = Array.from({ length: 300 }, (_, i) => `ordered-${i}`);
        for (const word of words) void client.echo(word);
        const seen = await commandsOfClient(monitor);
        expect(seen.slice(0, words.length).map((c) => c.args)).toEqual(
          words.map((word) => ['echo', word]),
        );
        // The monitor did run beside the flood (the flood goes on until this test stops it).
        await pollUntil(() => Promise.resolve(monitor.commands.some((c) => c.args[0] === 'ping')), {
          deadlineMs: 5000,
          intervalMs: 5,
        });
      } finally {
        monitor.stop();
      }
    } finally {
      stop = true;
      await flood;
      await busy.quit();
    }
  });

  it('refuses a line that is not MONITOR output', () => {
    expect(() => parseMonitorLine('-ERR nope')).toThrow(/not a MONITOR line/);
    expect(() => parseMonitorLine('+1.0 [0 lua] "unterminated')).toThrow(/unterminated/);
    expect(parseMonitorLine('+1.0 [0 127.0.0.1:1] "get" "\\x00\\xc3\\xa9"')).toEqual({
      source: '127.0.0.1:1',
      args: ['get', '\u0000é'],
    });
  });
});
