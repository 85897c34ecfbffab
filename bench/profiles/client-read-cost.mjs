// Node CPU per session read, and what each part of it costs: a raw GET of the same bytes, the
// read's EVALSHA with one and with six arguments (the same script, so only ioredis's encoding of
// the arguments differs), RedisSessionStore.read with one socket write per command
// (socketWrites: 'immediate') and with the default 'coalesced' (the reads of one event-loop turn
// leave in one write, at most 32 per write), and a GET with the socket corked for the whole turn.
// For scale, also a PING, an empty script, and a sketch of the packed string record that
// BENCHMARKS.md weighs (a script that GETs one string and reads its timestamps with string.sub).
//
//   npm run build -w libs/session && node bench/profiles/client-read-cost.mjs [--rounds N]
//   node bench/profiles/client-read-cost.mjs --inflight 1   # round-trip time, nothing queued
//
// With --inflight 1 the table's last column is the median round trip of one read from the
// client's side: what a request at one connection waits for.
//
// Every variant runs in its own Node process, --inflight reads (default 100) in flight for
// --seconds, alternating with the others round by round; the figures are medians over the
// rounds of reads/s and of the process's user + system CPU per read. Where `taskset` exists,
// Redis runs on CPU 1 and the client on CPU 0, so that the two do not take turns on one core.
// Starts its own redis-server on a free loopback port and stops it by PID.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisSessionStore, failFastRedisOptions } from 'nest-redis-session';
import { killAllNow, onInterrupt, runNodeJson } from '../lib/processes.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';
import { whenReady } from '../store/ready.mjs';
import { addressOfToken, sessionKeyOf } from '../store/session-address.mjs';
import { typicalStoredSession } from '../store/typical-session.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    worker: { type: 'string' },
    url: { type: 'string' },
    pin: { type: 'boolean', default: false },
    inflight: { type: 'string', default: '100' },
  },
});

const PREFIX = 'sess:';
const RAW_KEY = 'bench:raw-session';
const CLOCK = { idleTimeoutMs: 1_800_000, touchIntervalMs: 60_000 };
// cjson.encode of the HGETALL, as the read script replies, without its expiry logic.
const REPLY_LUA = "return cjson.encode(redis.call('HGETALL', KEYS[1]))";
const EMPTY_LUA = 'return 1';
// The packed-record sketch: fixed-width timestamps first, then the rest of the record.
const PACKED_KEY = 'bench:packed-session';
const PACKED_LUA = `local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local c, l = tonumber(string.sub(v, 1, 13)), tonumber(string.sub(v, 15, 24))
if c + l > tonumber(ARGV[1]) then return 1 end
return v`;
const VARIANTS = [
  'ping',
  'evalsha-empty',
  'evalsha-packed-sketch',
  'get',
  'evalsha-1-arg',
  'evalsha-6-args',
  'store-immediate',
  'store-coalesced',
  'get-corked',
];

if (values.worker) await worker(values.worker, values.url);
else await coordinate();

async function coordinate() {
  onInterrupt(() => killAllNow());
  const server = await startRedisServer({ lifetimeS: 1800 });
  const pin = hasTaskset();
  if (pin) execFileSync('taskset', ['-a', '-pc', '1', String(server.pid)], { stdio: 'ignore' });
  const client = new Redis(server.url);
  try {
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const store = new RedisSessionStore(client, PREFIX);
    await store.create(
      addressOfToken(token),
      typicalStoredSession({
        publicId: randomBytes(12).toString('base64url'),
        userId: '9b2e0c1e-2f4a-4c8e-9a51-3f1d2c3b4a5e',
        nowMs: now,
      }),
      { ttlMs: CLOCK.idleTimeoutMs, clock: { nowMs: now, ...CLOCK } },
    );
    const raw = JSON.stringify(await client.hgetall(sessionKeyOf(PREFIX, token)));
    await client.set(RAW_KEY, raw);
    await client.set('bench:token', token);
    await client.set(PACKED_KEY, `${now}|0000000000|${raw.slice(0, raw.length - 40)}`);
    const here = fileURLToPath(import.meta.url);
    const samples = new Map(VARIANTS.map((v) => [v, { rate: [], cpu: [], p50: [] }]));
    for (let round = 0; round < Number(values.rounds); round++) {
      for (const variant of VARIANTS) {
        const args = [
          '--worker',
          variant,
          '--url',
          server.url,
          '--seconds',
          values.seconds,
          '--inflight',
          values.inflight,
        ];
        const result = await runNodeJson(here, pin ? [...args, '--pin'] : args, {
          timeoutMs: 60_000,
        });
        samples.get(variant).rate.push(result.opsPerSec);
        samples.get(variant).cpu.push(result.cpuUsPerOp);
        samples.get(variant).p50.push(result.p50Us);
        process.stderr.write(`round ${round + 1}: ${variant} ${Math.round(result.opsPerSec)}/s\n`);
      }
    }
    const base = median(samples.get('get').rate);
    console.log(`| variant | reads/s | x GET | Node CPU per read | p50 round trip |`);
    console.log(`|---|---:|---:|---:|---:|`);
    for (const [variant, { rate, cpu, p50 }] of samples) {
      const r = median(rate);
      console.log(
        `| ${variant} | ${Math.round(r).toLocaleString('en')} | ${(r / base).toFixed(2)} | ${median(cpu).toFixed(2)} us | ${median(p50).toFixed(1)} us |`,
      );
    }
    console.log(
      `\n${values.inflight} in flight; ${pin ? 'Redis on CPU 1, client on CPU 0' : 'not pinned (no taskset)'}.`,
    );
  } finally {
    client.disconnect();
    await server.stop();
  }
}

async function worker(variant, url) {
  if (values.pin)
    execFileSync('taskset', ['-a', '-pc', '0', String(process.pid)], { stdio: 'ignore' });
  const client = new Redis(url, failFastRedisOptions(1000));
  await whenReady(client);
  const token = await client.get('bench:token');
  const address = addressOfToken(token);
  const key = sessionKeyOf(PREFIX, token);
  const immediate = new RedisSessionStore(client, PREFIX, { socketWrites: 'immediate' });
  const coalesced = new RedisSessionStore(client, PREFIX, { socketWrites: 'coalesced' });
  const sha = await client.script('LOAD', REPLY_LUA);
  const emptySha = await client.script('LOAD', EMPTY_LUA);
  const packedSha = await client.script('LOAD', PACKED_LUA);
  const clock = () => ({ nowMs: Date.now(), ...CLOCK });
  let corked = false;
  const uncork = () => {
    corked = false;
    client.stream.uncork();
  };
  const cork = () => {
    if (corked) return;
    corked = true;
    client.stream.cork();
    setImmediate(uncork);
  };
  const expectSession = (result) => {
    if (result.status !== 'found') throw new Error(result.status);
  };
  const operations = {
    ping: () => client.ping(),
    'evalsha-empty': () => client.evalsha(emptySha, 0),
    'evalsha-packed-sketch': async () => {
      if (typeof (await client.evalsha(packedSha, 1, PACKED_KEY, Date.now())) !== 'string')
        throw new Error('packed sketch replied no record');
    },
    get: async () => {
      if ((await client.get(RAW_KEY)) === null) throw new Error('missing');
    },
    'evalsha-1-arg': async () => JSON.parse(await client.evalsha(sha, 1, key)),
    'evalsha-6-args': async () =>
      JSON.parse(await client.evalsha(sha, 1, key, Date.now(), 1_800_000, 60_000, 60_000, PREFIX)),
    'store-immediate': async () => expectSession(await immediate.read(address, clock())),
    'store-coalesced': async () => expectSession(await coalesced.read(address, clock())),
    'get-corked': async () => {
      cork();
      if ((await client.get(RAW_KEY)) === null) throw new Error('missing');
    },
  };
  const operation = operations[variant];
  const drive = async (seconds) => {
    const deadline = performance.now() + seconds * 1000;
    let ops = 0;
    const times = [];
    const loop = async () => {
      while (performance.now() < deadline) {
        const started = process.hrtime.bigint();
        await operation();
        times.push(Number(process.hrtime.bigint() - started));
        ops++;
      }
    };
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: Number(values.inflight) }, loop));
    const cpu = process.cpuUsage(cpuBefore);
    const durationS = (performance.now() - start) / 1000;
    return { ops, durationS, cpuUs: cpu.user + cpu.system, p50Us: median(times) / 1000 };
  };
  await drive(1);
  const { ops, durationS, cpuUs, p50Us } = await drive(Number(values.seconds));
  client.disconnect();
  process.stdout.write(
    `${JSON.stringify({ opsPerSec: ops / durationS, cpuUsPerOp: cpuUs / ops, p50Us })}\n`,
  );
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
