// Added p50 latency at one connection, with the apps in one process and in one process each.
//
//   node bench/profiles/one-process-latency.mjs [--platform express|fastify] [--rounds N]
//                                                [--seconds S]
//
// The bench's latency rows run every app in its own process, as a deployment would, and drive
// them in turns (bench/load/latency.mjs): each block of requests then starts in a process that
// sat idle while the others ran. This drives the same routes twice per round: once in one
// process (bench/apps/one-process.mjs: bare, PING, and the session app's @Public() and read
// routes) and once in a process each. What differs between the two is what switching processes
// costs each route, not what the route runs.
//
// Starts its own redis-server on a free loopback port and the apps, stops them by PID, and
// prints per route the p50 over the bare route of the same setup: median of the rounds (range).
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { latencyInTurns } from '../lib/latency-in-turns.mjs';
import { loginCookie } from '../lib/login.mjs';
import { killAllNow, onInterrupt, spawnTracked, startApp, stopChild } from '../lib/processes.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const APPS = join(HERE, '..', 'apps');

const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: 'express' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

/** Starts bench/apps/one-process.mjs and resolves with its three ports: bare, PING, session. */
async function startOneProcess(env) {
  const child = spawnTracked(process.execPath, [join(APPS, 'one-process.mjs')], { env });
  child.stderr.pipe(process.stderr); // its warnings, and a full pipe would stall it
  const ports = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error('one-process app not ready in 30 s')), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const found = [...stdout.matchAll(/BENCH_READY (\{.*\})\n/g)].map(
        (m) => JSON.parse(m[1]).port,
      );
      if (found.length === 3) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void child.exited.then(() => reject(new Error('one-process app exited before it was ready')));
  });
  return { ports, stop: () => stopChild(child) };
}

const target = (key, port, path, cookie) => ({
  key,
  url: `http://127.0.0.1:${port}${path}`,
  headers: cookie ? { cookie } : {},
});

onInterrupt(() => killAllNow());
const redis = await startRedisServer({ lifetimeS: 1800 });
const env = {
  ...process.env,
  BENCH_PLATFORM: values.platform,
  BENCH_REDIS_URL: redis.url,
  BENCH_APP_MAX_SECONDS: '1800',
};
const stops = [];
try {
  const one = await startOneProcess(env);
  stops.push(one.stop);
  const [bare, ping, ours] = one.ports;
  const oneCookie = await loginCookie(`http://127.0.0.1:${ours}`, randomUUID());
  const shared = [
    target('bare', bare, '/bare'),
    target('ping', ping, '/ping'),
    target('public', ours, '/public'),
    target('read', ours, '/read', oneCookie),
  ];
  const own = {};
  for (const [name, app] of [
    ['bare', 'bare'],
    ['ping', 'redis-ping'],
    ['read', 'ours'],
  ]) {
    const started = await startApp(join(APPS, `${app}.mjs`), { env });
    stops.push(started.stop);
    own[name] = started.info.port;
  }
  const ownCookie = await loginCookie(`http://127.0.0.1:${own.read}`, randomUUID());
  const separate = [
    target('bare', own.bare, '/bare'),
    target('ping', own.ping, '/ping'),
    target('read', own.read, '/read', ownCookie),
  ];

  const added = { 'one process': {}, 'a process each': {} };
  for (let round = 0; round < rounds; round++) {
    for (const [setup, targets] of [
      ['one process', shared],
      ['a process each', separate],
    ]) {
      const p50 = await latencyInTurns(targets, seconds);
      for (const { key } of targets) {
        if (p50[key].failed > 0) throw new Error(`${setup} ${key}: failed requests`);
        if (key === 'bare') continue;
        (added[setup][key] ??= []).push(p50[key].p50Ms - p50.bare.p50Ms);
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  console.log(
    `${values.platform}: added p50 over the bare route at one connection, ms, median of ${rounds} rounds (range)`,
  );
  for (const [setup, routes] of Object.entries(added)) {
    const cells = Object.entries(routes).map(
      ([route, list]) =>
        `${route} ${median(list).toFixed(3)} (${Math.min(...list).toFixed(3)} - ${Math.max(...list).toFixed(3)})`,
    );
    console.log(`${setup.padEnd(15)} ${cells.join('   ')}`);
  }
} finally {
  for (const stop of stops) await stop();
  await redis.stop();
}
