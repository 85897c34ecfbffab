// What one awaited Redis PING adds to a request's p50 at one connection, per HTTP platform,
// with and without Nest.
//
//   node bench/profiles/platform-await-cost.mjs [--rounds N] [--seconds S]
//
// The latency target of issue 5 is 0.15 ms over the bare route. A session read is one Redis
// round trip, so whatever a platform adds for an awaited round trip by itself comes out of that
// budget before any session code runs. This drives, in turns (bench/load/latency.mjs), a bare
// route and a PING route on node:http, Express and Fastify alone (bench/apps/plain-platform.mjs)
// and under Nest (bench/apps/bare.mjs and redis-ping.mjs), a process per app, and prints the
// PING route's p50 over its own platform's bare route: median of the rounds (range).
//
// Starts its own redis-server on a free loopback port and the apps, and stops them by PID.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { latencyInTurns } from '../lib/latency-in-turns.mjs';
import { killAllNow, onInterrupt, startApp } from '../lib/processes.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const APPS = join(HERE, '..', 'apps');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '4' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);

// [name, app file, BENCH_PLATFORM, bare path, PING path]
const SETUPS = [
  ['node:http', 'plain-platform.mjs', 'node', '/bare', '/ping'],
  ['Express', 'plain-platform.mjs', 'express', '/bare', '/ping'],
  ['Fastify', 'plain-platform.mjs', 'fastify', '/bare', '/ping'],
  ['Nest + Express', null, 'express', '/bare', '/ping'],
  ['Nest + Fastify', null, 'fastify', '/bare', '/ping'],
];

onInterrupt(() => killAllNow());
const redis = await startRedisServer({ lifetimeS: 1800 });
const stops = [];
try {
  const setups = [];
  for (const [name, file, platform, barePath, pingPath] of SETUPS) {
    const env = {
      ...process.env,
      BENCH_PLATFORM: platform,
      BENCH_REDIS_URL: redis.url,
      BENCH_APP_MAX_SECONDS: '1800',
    };
    const start = async (app) => {
      const started = await startApp(join(APPS, app), { env, name: `${name} ${app}` });
      stops.push(started.stop);
      return started.info.port;
    };
    // Without Nest one process serves both routes; the Nest apps are the bench's own, one each.
    const barePort = await start(file ?? 'bare.mjs');
    const pingPort = file === null ? await start('redis-ping.mjs') : barePort;
    setups.push({
      name,
      targets: [
        { key: 'bare', url: `http://127.0.0.1:${barePort}${barePath}` },
        { key: 'ping', url: `http://127.0.0.1:${pingPort}${pingPath}` },
      ],
    });
  }

  const added = new Map(setups.map(({ name }) => [name, []]));
  const bareP50 = new Map(setups.map(({ name }) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const { name, targets } of setups) {
      const p50 = await latencyInTurns(targets, seconds);
      if (p50.bare.failed > 0 || p50.ping.failed > 0) throw new Error(`${name}: failed requests`);
      added.get(name).push(p50.ping.p50Ms - p50.bare.p50Ms);
      bareP50.get(name).push(p50.bare.p50Ms);
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const ms = (value) => value.toFixed(3);
  console.log(`p50 at one connection, ms, median of ${rounds} rounds (range)`);
  console.log('| platform | bare route | a PING over bare |');
  console.log('|---|---:|---:|');
  for (const { name } of setups) {
    const list = added.get(name);
    const range = `${ms(Math.min(...list))} - ${ms(Math.max(...list))}`;
    console.log(`| ${name} | ${ms(median(bareP50.get(name)))} | ${ms(median(list))} (${range}) |`);
  }
} finally {
  for (const stop of stops) await stop();
  await redis.stop();
}
