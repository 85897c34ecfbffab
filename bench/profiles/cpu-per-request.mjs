// CPU time per request of the app process and of Redis, from /proc: where a route's cost sits
// (app or Redis), and how much a session read adds to a route that only pings Redis. It moves
// with the machine's load as throughput does (10 to 15 % here), so read the differences from
// the baseline variant, taken round by round, not the absolute figures.
//
//   node bench/profiles/cpu-per-request.mjs [--platform express|fastify] [--requests N]
//                                           [--rounds N] [--variants ping,read,guard]
//                                           [--connections N]
//
// The first variant is the baseline: each other one is also given as its difference from it,
// round by round.
//
// Linux only (/proc). Starts its own redis-server on a free loopback port and the bench apps,
// stops them by PID, and prints microseconds per request (median of the rounds, and the range).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { autocannon } from '../lib/load.mjs';
import { loginCookie } from '../lib/login.mjs';
import { killAllNow, onInterrupt, startApp } from '../lib/processes.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';

const APPS = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps');

const VARIANTS = {
  bare: { app: 'bare.mjs', path: '/bare' },
  ping: { app: 'redis-ping.mjs', path: '/ping' },
  read: { app: 'ours.mjs', path: '/read', session: true },
  guard: { app: 'ours.mjs', path: '/signed-in', session: true },
};

const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: 'express' },
    requests: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '5' },
    variants: { type: 'string', default: 'ping,read' },
    connections: { type: 'string', default: '50' },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const names = values.variants.split(',');
for (const name of names) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}`);

// utime + stime of a process, in microseconds.
const TICK_US = 1e6 / 100;
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

onInterrupt(() => killAllNow());
const redis = await startRedisServer({ lifetimeS: 1800 });
const apps = new Map();
try {
  for (const name of names) {
    const { app, path, session } = VARIANTS[name];
    if (!apps.has(app)) {
      apps.set(
        app,
        await startApp(join(APPS, app), {
          env: {
            ...process.env,
            BENCH_PLATFORM: values.platform,
            BENCH_REDIS_URL: redis.url,
            BENCH_APP_MAX_SECONDS: '1800',
          },
        }),
      );
    }
    const { info } = apps.get(app);
    const base = `http://127.0.0.1:${info.port}`;
    const headers = {};
    if (session) headers.cookie = await loginCookie(base, randomUUID());
    VARIANTS[name].request = { url: `${base}${path}`, headers, pid: apps.get(app).child.pid };
  }
  const samples = Object.fromEntries(names.map((name) => [name, { app: [], redis: [] }]));
  for (let round = 0; round <= rounds; round++) {
    for (const name of names) {
      const { url, headers, pid } = VARIANTS[name].request;
      const app0 = cpuMicros(pid);
      const redis0 = cpuMicros(redis.pid);
      const result = await autocannon({ url, headers, connections, amount: requests });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: failed requests`);
      // Round 0 warms the JIT up and is not counted.
      if (round === 0) continue;
      samples[name].app.push((cpuMicros(pid) - app0) / result.completed);
      samples[name].redis.push((cpuMicros(redis.pid) - redis0) / result.completed);
    }
  }
  const show = (list) =>
    `${median(list).toFixed(1)} us (${Math.min(...list).toFixed(1)} - ${Math.max(...list).toFixed(1)})`;
  console.log(
    `${values.platform}, ${requests} requests x ${rounds} rounds, ${connections} connection(s)`,
  );
  // Differences within a round cancel most of what the machine's load does to both variants.
  const [base] = names;
  const overBase = (name, side) =>
    samples[name][side].map((value, round) => value - samples[base][side][round]);
  for (const name of names) {
    const line = `${name.padEnd(6)} app ${show(samples[name].app)}   redis ${show(samples[name].redis)}`;
    const extra =
      name === base
        ? ''
        : `   over ${base}: app ${show(overBase(name, 'app'))}, redis ${show(overBase(name, 'redis'))}`;
    console.log(line + extra);
  }
} finally {
  for (const app of apps.values()) await app.stop();
  await redis.stop();
}
