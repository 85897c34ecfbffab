// Store reads per second on Redis Cluster, socketWrites 'coalesced' against 'immediate'.
//
//   npm run build -w libs/session && node bench/profiles/cluster-reads.mjs [--rounds N]
//
// Starts three redis-servers with cluster mode on free loopback ports, gives each a third of the
// slots, and stops them by PID at the end. One Node process with one Cluster client (the
// module's settings: primaries only, fail-fast) holds 300 sessions of 300 users, spread over the
// three primaries by their hash tags, and reads them round-robin with --inflight reads
// (default 100) in flight for --seconds, through two stores on that client that differ only in
// `socketWrites`. The two alternate round by round, each starting first in every other round;
// the figures are medians over the rounds.
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { RedisSessionStore, failFastRedisOptions } from 'nest-redis-session';
import { killAllNow, onInterrupt, sleep } from '../lib/processes.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { median } from '../lib/stats.mjs';
import { whenReady } from '../store/ready.mjs';
import { addressOfToken, newTokenOfUser } from '../store/session-address.mjs';
import { typicalStoredSession } from '../store/typical-session.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '3' },
    inflight: { type: 'string', default: '100' },
  },
});

const PRIMARIES = 3;
const SESSIONS = 300;
const SLOTS = 16384;
const MINUTE = 60_000;
const PREFIX = 'sess:';
const VARIANTS = ['coalesced', 'immediate'];
const readClock = () => ({
  nowMs: Date.now(),
  idleTimeoutMs: 30 * MINUTE,
  touchIntervalMs: MINUTE,
});

const servers = [];
onInterrupt(() => killAllNow());
try {
  for (let i = 0; i < PRIMARIES; i++) {
    servers.push(
      await startRedisServer({
        extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
        lifetimeS: 600,
      }),
    );
  }
  await formCluster(servers);
  const client = new Cluster(
    servers.map(({ host, port }) => ({ host, port })),
    {
      scaleReads: 'master',
      enableOfflineQueue: false,
      redisOptions: failFastRedisOptions(1000),
    },
  );
  await whenReady(client, 10_000);
  const stores = Object.fromEntries(
    VARIANTS.map((socketWrites) => [
      socketWrites,
      new RedisSessionStore(client, PREFIX, { socketWrites }),
    ]),
  );
  const addresses = await createSessions(stores.immediate);

  const samples = Object.fromEntries(VARIANTS.map((variant) => [variant, []]));
  // Warm-up, which also runs each node's first EVALSHA → NOSCRIPT → EVAL.
  for (const variant of VARIANTS) await readsPerSecond(stores[variant], addresses, 1);
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) {
      samples[variant].push(
        await readsPerSecond(stores[variant], addresses, Number(values.seconds)),
      );
    }
  }
  client.disconnect();

  const coalesced = median(samples.coalesced);
  const immediate = median(samples.immediate);
  console.log(
    `Redis Cluster, ${PRIMARIES} primaries; ${values.inflight} reads in flight; ` +
      `${values.rounds} rounds of ${values.seconds} s\n`,
  );
  console.log('| socketWrites | reads/s (median) | range | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const variant of VARIANTS) {
    const all = samples[variant];
    console.log(
      `| ${variant} | ${Math.round(median(all)).toLocaleString('en')} | ` +
        `${Math.round(Math.min(...all)).toLocaleString('en')} – ` +
        `${Math.round(Math.max(...all)).toLocaleString('en')} | ` +
        `${variant === 'coalesced' ? `${(coalesced / immediate).toFixed(2)}× immediate` : ''} |`,
    );
  }
} finally {
  for (const server of servers) await server.stop();
}

/** One third of the slots each, then every node meets the first and all agree the cluster is up. */
async function formCluster(nodes) {
  const admins = nodes.map(({ host, port }) => new Redis({ host, port, lazyConnect: true }));
  try {
    for (const admin of admins) await admin.connect();
    const perNode = Math.ceil(SLOTS / nodes.length);
    for (const [i, admin] of admins.entries()) {
      const from = i * perNode;
      const to = Math.min(SLOTS, from + perNode) - 1;
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to));
    }
    for (const admin of admins.slice(1)) {
      await admin.call('CLUSTER', 'MEET', nodes[0].host, String(nodes[0].port));
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const infos = await Promise.all(admins.map((admin) => admin.call('CLUSTER', 'INFO')));
      const known = await Promise.all(admins.map((admin) => admin.call('CLUSTER', 'NODES')));
      const up =
        infos.every((info) => String(info).includes('cluster_state:ok')) &&
        known.every((list) => String(list).trim().split('\n').length === nodes.length);
      if (up) return;
      if (Date.now() > deadline) throw new Error('the cluster did not come up within 20 s');
      await sleep(100);
    }
  } finally {
    for (const admin of admins) admin.disconnect();
  }
}

/** SESSIONS users with one session each; their hash tags spread them over the primaries. */
async function createSessions(store) {
  const addresses = [];
  for (let i = 0; i < SESSIONS; i++) {
    const userId = `cluster-reader-${i}`;
    const address = addressOfToken(newTokenOfUser(userId));
    const now = Date.now();
    const result = await store.create(
      address,
      typicalStoredSession({ publicId: `p${i}`, userId, nowMs: now }),
      { ttlMs: 30 * MINUTE, clock: { nowMs: now, idleTimeoutMs: 30 * MINUTE } },
    );
    if (result.status !== 'created') throw new Error(`create: ${result.status}`);
    addresses.push(address);
  }
  return addresses;
}

async function readsPerSecond(store, addresses, seconds) {
  const deadline = performance.now() + seconds * 1000;
  let reads = 0;
  let next = 0;
  const reader = async () => {
    while (performance.now() < deadline) {
      const result = await store.read(addresses[next++ % addresses.length], readClock());
      if (result.status !== 'found') throw new Error(`read: ${result.status}`);
      reads++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(values.inflight) }, reader));
  return reads / ((performance.now() - started) / 1000);
}
