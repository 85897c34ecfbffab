// Command-line flags (after `npm run bench --`) and BENCH_* environment variables; a flag wins
// over the environment, which wins over the --quick / --full presets.
import os from 'node:os';
import { parseArgs } from 'node:util';

export const GROUPS = ['http', 'latency', 'commands', 'bytes', 'store', 'list'];

/** HTTP platforms the apps support (bench/apps/common.mjs createApp). */
export const PLATFORMS = ['express', 'fastify'];

export const USAGE = `Usage: npm run bench -- [options]

  --quick              smoke run: 1 s per measurement, short warm-ups, fewer requests
  --full               listing with 1,000,000 other sessions (default 100,000)
  --json               print the results as JSON instead of the markdown table
  --rounds N           rounds of every measurement, interleaved          (BENCH_ROUNDS, 3)
  --duration S         seconds per HTTP and store-read measurement        (BENCH_DURATION, 5; quick 1)
  --warmup S           seconds of warm-up per variant before round 1      (BENCH_WARMUP, 2; quick 0.5)
  --connections N      autocannon connections                             (BENCH_CONNECTIONS, 50)
  --login-connections N  connections of the login row                     (BENCH_LOGIN_CONNECTIONS, = --connections)
  --inflight N         store reads in flight                              (BENCH_STORE_INFLIGHT, 100)
  --requests N         requests per commands-per-request measurement      (BENCH_COMMAND_REQUESTS, 2000; quick 300)
  --others N           other sessions for the large listing measurement   (BENCH_LIST_OTHERS, 100000; --full 1000000)
  --platform P         HTTP platforms, comma-separated: ${PLATFORMS.join(',')}   (BENCH_PLATFORMS, both)
  --only G             groups to run, comma-separated: ${GROUPS.join(',')}
  --variants V         HTTP variants to run, comma-separated (default all)
  --no-build           skip building libs/session and the sample app (bench/dist/sample-app)
  --max-seconds S      hard cap on the whole run; everything is stopped past it (BENCH_MAX_SECONDS)

Environment only: BENCH_PG_URL (postgresql://<PGUSER or OS user>@127.0.0.1:5432/test), BENCH_UV_THREADPOOL_SIZE
(threadpool of the login row's app; unset = libuv's default of 4).`;

export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'login-connections': { type: 'string' },
      inflight: { type: 'string' },
      requests: { type: 'string' },
      others: { type: 'string' },
      platform: { type: 'string' },
      only: { type: 'string' },
      variants: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'max-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick;
  const pick = (flag, envName, fallback, { min = 0, integer = false } = {}) => {
    const raw = values[flag] ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new Error(`--${flag} / ${envName}: expected a number >= ${min}, got ${raw}`);
    }
    return value;
  };
  const list = (raw, allowed, what) => {
    if (raw === undefined || raw === '') return undefined;
    const items = raw.split(',').map((item) => item.trim());
    const unknown = allowed ? items.filter((item) => !allowed.includes(item)) : [];
    if (unknown.length) throw new Error(`unknown ${what}: ${unknown.join(', ')}`);
    return items;
  };

  const connections = pick('connections', 'BENCH_CONNECTIONS', 50, { min: 1, integer: true });
  const rounds = pick('rounds', 'BENCH_ROUNDS', 3, { min: 1, integer: true });
  const durationS = pick('duration', 'BENCH_DURATION', quick ? 1 : 5, { min: 0.5 });
  const options = {
    help: values.help,
    quick,
    full: values.full,
    json: values.json,
    build: !values['no-build'],
    rounds,
    durationS,
    warmupS: pick('warmup', 'BENCH_WARMUP', quick ? 0.5 : 2),
    connections,
    loginConnections: pick('login-connections', 'BENCH_LOGIN_CONNECTIONS', connections, {
      min: 1,
      integer: true,
    }),
    storeInflight: pick('inflight', 'BENCH_STORE_INFLIGHT', 100, { min: 1, integer: true }),
    commandRequests: pick('requests', 'BENCH_COMMAND_REQUESTS', quick ? 300 : 2000, {
      min: 10,
      integer: true,
    }),
    listSmallOthers: 10_000,
    listLargeOthers: pick('others', 'BENCH_LIST_OTHERS', values.full ? 1_000_000 : 100_000, {
      min: 10_000,
      integer: true,
    }),
    listIterations: quick ? 50 : 200,
    platforms: list(values.platform ?? env.BENCH_PLATFORMS, PLATFORMS, 'platform') ?? PLATFORMS,
    groups: list(values.only, GROUPS, 'group') ?? GROUPS,
    variants: list(values.variants, undefined, 'variant'),
    // libpq would default the user to the OS user; node-postgres needs it spelled out.
    pgUrl:
      env.BENCH_PG_URL ||
      `postgresql://${encodeURIComponent(env.PGUSER || os.userInfo().username)}@127.0.0.1:5432/test`,
    uvThreadpoolSize: env.BENCH_UV_THREADPOOL_SIZE || env.UV_THREADPOOL_SIZE || undefined,
    pgRows: 10_000,
  };
  // A bound on the whole run, from the work it has to do, unless given.
  const platforms = options.platforms.length;
  const httpSeconds = platforms * (8 * rounds * (durationS + 1.5) + 8 * (options.warmupS + 1.5));
  const latencySeconds = platforms * 3 * rounds * (durationS + 1);
  const storeSeconds = 4 * rounds * (durationS + 2);
  const listSeconds = options.listLargeOthers / 20_000 + 2 * rounds * 10;
  const estimate = 120 + httpSeconds + latencySeconds + storeSeconds + listSeconds;
  options.maxSeconds = pick('max-seconds', 'BENCH_MAX_SECONDS', Math.ceil(estimate * 2), {
    min: 10,
  });
  return options;
}
