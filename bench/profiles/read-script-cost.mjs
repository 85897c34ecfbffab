// Redis CPU per call of the session read, against what a different stored format would cost:
// the library's read script on its hash, a plain HGETALL and GET, an empty script, and a read
// script over one string record whose timestamps sit in a fixed-width header (read with
// string.sub, touched with SETRANGE). Also MEMORY USAGE of the hash and of that string.
//
//   npm run build -w libs/session && node bench/profiles/read-script-cost.mjs [--calls N]
//
// redis-benchmark sends each command pipelined (-P 20) so that the server's time per call is
// the command's own, not the network's; CPU is INFO's used_cpu_user + used_cpu_sys. Starts its
// own redis-server on a free loopback port and stops it by PID.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { readSessionScript } from '../../libs/session/dist/store/scripts/session-scripts.js';
import { killAllNow, onInterrupt } from '../lib/processes.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '300000' } } });
const calls = Number(values.calls);

// The bench's typical session (bench/lib/populate.mjs): uuid user, one role, IP, packed
// Chrome User-Agent, three small app keys.
const now = Date.now();
const created = now - 1000;
const FIELDS = {
  p: 'Ab3dEf5hIj7lMn9p',
  u: '9b2e0c1e-2f4a-4c8e-9a51-3f1d2c3b4a5e',
  c: String(created),
  l: '500',
  a: '604800000',
  r: '["user"]',
  ip: '203.0.113.7',
  ua: '\x04\x05\x01131\x0c',
  '.theme': '"dark"',
  '.locale': '"en-GB"',
  '.cartItems': '2',
};
const HASH_KEY = 'sess:{ab}:s:hash-record';
const STRING_KEY = 'sess:{ab}:s:string-record';

// Created 13 digits, then last-seen and the absolute deadline as 10-digit offsets from it;
// everything else as JSON.
const { c, l, a, ...rest } = FIELDS;
const STRING_RECORD =
  c.padStart(13, '0') + l.padStart(10, '0') + a.padStart(10, '0') + JSON.stringify(rest);

const STRING_READ_LUA = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local created = tonumber(string.sub(v, 1, 13))
local lastSeen = created + tonumber(string.sub(v, 14, 23))
local absolute = created + tonumber(string.sub(v, 24, 33))
local now, idle, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if now >= absolute or now >= lastSeen + idle then
  redis.call('DEL', KEYS[1])
  return 0
end
if now - lastSeen >= interval then
  redis.call('SETRANGE', KEYS[1], 13, string.format('%010d', now - created))
  redis.call('PEXPIRE', KEYS[1], math.min(idle, absolute - now) + tonumber(ARGV[4]))
end
return v`;

onInterrupt(() => killAllNow());
const server = await startRedisServer({ lifetimeS: 600 });
const redis = new Redis(server.url);
try {
  await redis.hset(HASH_KEY, FIELDS);
  await redis.set(STRING_KEY, STRING_RECORD);
  const clock = [String(now), '1800000', '60000', '60000'];
  const cases = {
    'GET of the string record': ['GET', STRING_KEY],
    'HGETALL of the hash': ['HGETALL', HASH_KEY],
    'EVALSHA of `return 1`': ['EVALSHA', await redis.script('LOAD', 'return 1'), '0'],
    "the library's read script, on the hash": [
      'EVALSHA',
      await redis.script(
        'LOAD',
        readSessionScript({ idleTimeoutMs: 1_800_000, touchIntervalMs: 60_000, graceMs: 60_000 })
          .lua,
      ),
      '1',
      HASH_KEY,
      String(now),
    ],
    'a read script on the string record': [
      'EVALSHA',
      await redis.script('LOAD', STRING_READ_LUA),
      '1',
      STRING_KEY,
      ...clock,
    ],
  };
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < 3; round++) {
    for (const [name, args] of Object.entries(cases)) {
      const before = await serverCpuSeconds(redis);
      execFileSync('redis-benchmark', [
        ...['-h', server.host, '-p', String(server.port)],
        ...['-n', String(calls), '-c', '20', '-P', '20', '-q'],
        ...args,
      ]);
      samples[name].push((((await serverCpuSeconds(redis)) - before) * 1e6) / calls);
    }
  }
  console.log(`Redis CPU per call, median of 3 rounds of ${calls} calls, pipelined (-P 20):`);
  for (const [name, list] of Object.entries(samples)) {
    console.log(`  ${name.padEnd(40)} ${median(list).toFixed(2)} us`);
  }
  const bytes = async (key) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  console.log(
    `MEMORY USAGE: hash ${await bytes(HASH_KEY)} B, string record ${await bytes(STRING_KEY)} B ` +
      `(${STRING_RECORD.length} characters)`,
  );
} finally {
  redis.disconnect();
  await server.stop();
}

async function serverCpuSeconds(client) {
  const info = await client.info('cpu');
  const field = (name) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}
