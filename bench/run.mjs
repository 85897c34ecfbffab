// `npm run bench`: starts its own Redis (and uses the local PostgreSQL when it can reach it),
// one Node process per app variant on loopback, drives them with autocannon from separate
// processes, runs the variants interleaved for several rounds, and prints one markdown table
// (or JSON with --json). Progress goes to stderr. See bench/README.md.
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { autocannon } from './lib/load.mjs';
import { CLIENT_IP, CHROME_UA, loginCookie } from './lib/login.mjs';
import { describeMachine } from './lib/machine.mjs';
import { readOptions, USAGE } from './lib/options.mjs';
import { oneConnectionLatency } from './lib/one-connection.mjs';
import { populateOtherSessions } from './lib/populate.mjs';
import { setUpPostgres } from './lib/postgres.mjs';
import {
  killAllNow,
  onInterrupt,
  runNode,
  runNodeJson,
  sleep,
  startApp,
} from './lib/processes.mjs';
import { startRedisServer } from './lib/redis-server.mjs';
import { failedRow, renderJson, renderMarkdown, skippedRow } from './lib/report.mjs';
import { summarize } from './lib/stats.mjs';
import { sessionKeyOf } from './store/session-address.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const sampleAppDir = join(here, 'dist', 'sample-app');

// Both libraries' default key prefix. The bench apps use longer ones of their own, so that they
// can share one Redis; a key name is part of its memory, so bytes are measured on a copy of the
// key under the name a default setup would give it.
const DEFAULT_KEY_PREFIX = 'sess:';

const SAMPLE_PASSWORD = 'correct horse battery staple';
/** What the PostgreSQL row stores per session: the same content as the Redis rows. */
const TYPICAL_SESSION = {
  userId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  roles: ['user'],
  device: { ip: CLIENT_IP, userAgent: CHROME_UA },
  createdAt: 0,
  theme: 'dark',
  locale: 'en-GB',
  cartItems: 2,
};

/**
 * The HTTP rows. Each (platform, variant) pair runs as its own Node process from
 * bench/apps/<app>.mjs; `auth` says how the runner gets its credentials before the load.
 */
const HTTP_VARIANTS = [
  { id: 'bare', app: 'bare', path: '/bare', label: 'bare NestJS route (ceiling)' },
  { id: 'redis-ping', app: 'redis-ping', path: '/ping', label: 'route doing one Redis PING' },
  {
    id: 'bare-interceptor',
    app: 'bare-interceptor',
    path: '/bare',
    label: 'bare route under a no-op global interceptor',
  },
  {
    id: 'ours-read',
    app: 'ours',
    path: '/read',
    auth: 'ours',
    label: 'ours: SessionGuard + @CurrentSession() read',
  },
  {
    id: 'ours-public',
    app: 'ours',
    path: '/public',
    label: 'ours: a @Public() route that does not use the session, same app',
  },
  {
    id: 'ours-guard',
    app: 'ours',
    path: '/signed-in',
    auth: 'ours',
    label: 'ours: SessionGuard read, handler without @CurrentSession()',
  },
  {
    id: 'ours-read-ap',
    app: 'ours',
    path: '/read',
    auth: 'ours',
    env: { BENCH_OURS_AUTOPIPELINING: '1' },
    label:
      'ours read, module client with enableAutoPipelining (its scripts skip the auto-pipeline)',
  },
  {
    id: 'ours-read-immediate',
    app: 'ours',
    path: '/read',
    auth: 'ours',
    env: { BENCH_OURS_SOCKET_WRITES: 'immediate' },
    label: "ours read, socketWrites: 'immediate' (one socket write per command)",
  },
  {
    id: 'ours-write',
    app: 'ours',
    method: 'POST',
    path: '/write',
    auth: 'ours',
    label: 'ours: read + change one data key',
  },
  {
    id: 'es-read',
    app: 'express-session',
    path: '/read',
    auth: 'es',
    label: 'express-session + connect-redis: read',
    onPlatform: {
      fastify: { app: 'fastify-session', label: '@fastify/session + connect-redis: read' },
    },
  },
  {
    id: 'es-write',
    app: 'express-session',
    method: 'POST',
    path: '/write',
    auth: 'es',
    label: 'express-session + connect-redis: change one key',
    onPlatform: {
      fastify: {
        app: 'fastify-session',
        label: '@fastify/session + connect-redis: change one key',
      },
    },
  },
  {
    id: 'pg-read',
    app: 'pg-lookup',
    path: '/read',
    auth: 'pg',
    label: 'PostgreSQL session lookup (pg, one indexed SELECT)',
  },
  {
    id: 'login',
    app: 'sample-app',
    platforms: ['express'],
    method: 'POST',
    path: '/auth/login',
    auth: 'sample',
    label: 'sample app POST /auth/login (argon2id)',
  },
];

// Why a variant has no row on a platform it does not run on.
const NOT_ON_PLATFORM = {
  login: 'argon2-bound; measured on Express only',
};

/** Variants the non-HTTP groups need a running process of. */
const NEEDED_BY_GROUP = {
  latency: ['bare', 'redis-ping', 'bare-interceptor', 'ours-read'],
  commands: ['redis-ping', 'ours-read', 'ours-write', 'es-read', 'es-write'],
  bytes: ['ours-read', 'es-read'],
  store: ['ours-read'],
  list: ['ours-read'],
};

// Connection setup and the runner's own commands; none of them is part of a request.
const NOT_COUNTED = /^(info|monitor|hello|select|client\|.*)$/;

const startedAt = Date.now();
const log = (message) =>
  process.stderr.write(`[bench +${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${message}\n`);

let options;
try {
  options = readOptions();
} catch (error) {
  process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  process.exit(64);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const machine = describeMachine();
const rows = [];
const problems = [];
const cleanups = [];
const runCleanups = async () => {
  while (cleanups.length) {
    const cleanup = cleanups.pop();
    await cleanup().catch((error) => problems.push(`cleanup: ${error.message}`));
  }
};
onInterrupt(runCleanups);

const watchdog = setTimeout(() => {
  process.stderr.write(`\nThe run exceeded --max-seconds ${options.maxSeconds}: stopping.\n`);
  killAllNow();
  const force = setTimeout(() => process.exit(2), 5000);
  void runCleanups().finally(() => {
    clearTimeout(force);
    process.exit(2);
  });
}, options.maxSeconds * 1000);
watchdog.unref();

try {
  await main();
} catch (error) {
  problems.push(`aborted: ${error.stack ?? error.message}`);
  log(`aborted: ${error.message}`);
} finally {
  await runCleanups();
  clearTimeout(watchdog);
}
machine.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
const settings = {
  mode: options.quick ? 'quick' : options.full ? 'full' : 'default',
  rounds: options.rounds,
  durationS: options.durationS,
  warmupS: options.warmupS,
  connections: options.connections,
  loginConnections: options.loginConnections,
  storeInflight: options.storeInflight,
  commandRequests: options.commandRequests,
  listSmallOthers: options.listSmallOthers,
  listLargeOthers: options.listLargeOthers,
  platforms: options.platforms,
  groups: options.groups,
  uvThreadpoolSize: options.uvThreadpoolSize ?? '4 (libuv default)',
};
const report = { machine, settings, rows, problems };
process.stdout.write(`${options.json ? renderJson(report) : renderMarkdown(report)}\n`);
process.exitCode = rows.some((row) => row.status === 'failed') || problems.length ? 1 : 0;

// ---------------------------------------------------------------------------------------------

async function main() {
  if (options.build) await build();
  else if (!existsSync(join(root, 'libs', 'session', 'dist', 'index.js'))) {
    throw new Error('libs/session/dist is missing: run without --no-build');
  }

  const redis = await startRedisServer({ lifetimeS: options.maxSeconds + 60 });
  cleanups.push(() => redis.stop());
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  admin.on('error', () => {}); // reported through the commands that fail
  cleanups.push(async () => admin.disconnect());
  machine.redis = (await admin.info('server')).match(/redis_version:(\S+)/)?.[1];
  log(`Redis ${machine.redis} on ${redis.url} (pid ${redis.pid})`);

  const wanted = new Set();
  const httpVariants = HTTP_VARIANTS.filter(
    (variant) => !options.variants || options.variants.includes(variant.id),
  );
  if (options.variants) {
    const unknown = options.variants.filter((id) => !HTTP_VARIANTS.some((v) => v.id === id));
    if (unknown.length) throw new Error(`unknown --variants: ${unknown.join(', ')}`);
  }
  // Variants named with --variants also start for the other groups (the latency rows report
  // any of their references that run).
  if (options.groups.includes('http') || options.variants) {
    httpVariants.forEach((variant) => wanted.add(variant.id));
  }
  for (const group of options.groups) for (const id of NEEDED_BY_GROUP[group] ?? []) wanted.add(id);

  // PostgreSQL: used when reachable, otherwise the row says why it was skipped.
  let postgres = null;
  let postgresSkip = null;
  if (wanted.has('pg-read')) {
    try {
      postgres = await setUpPostgres(options.pgUrl, {
        rows: options.pgRows,
        session: TYPICAL_SESSION,
      });
      cleanups.push(() => postgres.drop());
      machine.postgres = postgres.version;
      log(`PostgreSQL ${postgres.version}: table ${postgres.schema}.bench_sessions`);
    } catch (error) {
      postgresSkip = `PostgreSQL not reachable at ${redactUrl(options.pgUrl)} (${error.message}): row skipped`;
      log(postgresSkip);
    }
  }

  const instances = await startInstances({ wanted, redis, postgres, postgresSkip });
  const byId = (platform, id) =>
    instances.find((i) => i.platform === platform && i.variant.id === id);
  const first = options.platforms[0];

  if (options.groups.includes('http')) await httpRounds(instances, httpVariants);
  if (options.groups.includes('latency')) {
    rows.push(...(await oneConnectionLatency(instances, options, log)));
  }
  if (options.groups.includes('commands')) {
    await commandCounts(admin, instances, first, NEEDED_BY_GROUP.commands);
    // Rows whose library differs per platform are counted on the other platforms too.
    for (const platform of options.platforms.filter((p) => p !== first)) {
      const own = HTTP_VARIANTS.filter((v) => v.onPlatform?.[platform]).map((v) => v.id);
      await commandCounts(admin, instances, platform, own, `${platform}: `);
    }
  }
  if (options.groups.includes('bytes'))
    await sessionBytes(admin, byId(first, 'ours-read'), byId(first, 'es-read'));
  if (options.groups.includes('store')) await storeReads(redis, admin, byId(first, 'ours-read'));
  if (options.groups.includes('list')) await listing(redis, admin, byId(first, 'ours-read'));
}

function redactUrl(url) {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

async function build() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  log('building libs/session (tsc -p libs/session/tsconfig.lib.json)');
  const lib = await runNode(tsc, ['-p', 'libs/session/tsconfig.lib.json'], {
    cwd: root,
    timeoutMs: 300_000,
  });
  if (lib.code !== 0) {
    throw new Error(`libs/session does not build:\n${(lib.stdout + lib.stderr).slice(0, 3000)}`);
  }
  log('compiling the sample app to bench/dist/sample-app');
  rmSync(sampleAppDir, { recursive: true, force: true });
  const app = await runNode(
    tsc,
    [
      '-p',
      'tsconfig.build.json',
      '--outDir',
      sampleAppDir,
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: root, timeoutMs: 300_000 },
  );
  // Files the app reads at run time (nest-cli.json "assets"): everything in src/ but TypeScript.
  cpSync(join(root, 'src'), sampleAppDir, {
    recursive: true,
    filter: (source) => statSync(source).isDirectory() || !source.endsWith('.ts'),
  });
  if (app.code !== 0) {
    problems.push(
      `the sample app has compile errors (tsc still emitted JS, the login row uses it):\n` +
        (app.stdout + app.stderr).slice(0, 1500),
    );
  }
}

// --- app processes ---------------------------------------------------------------------------

async function startInstances({ wanted, redis, postgres, postgresSkip }) {
  const instances = [];
  for (const platform of options.platforms) {
    for (const variant of HTTP_VARIANTS.filter((v) => wanted.has(v.id))) {
      // The same row on another platform may need that platform's own library (express-session
      // is Express middleware; Fastify has @fastify/session).
      const onPlatform = variant.onPlatform?.[platform] ?? {};
      const variantLabel = onPlatform.label ?? variant.label;
      const instance = {
        platform,
        variant,
        appName: onPlatform.app ?? variant.app,
        variantLabel,
        key: `${platform}:${variant.id}`,
        label: `${platform}: ${variantLabel}`,
        connections: variant.id === 'login' ? options.loginConnections : options.connections,
        skip: null,
        failure: null,
      };
      instances.push(instance);
      if (variant.platforms && !variant.platforms.includes(platform)) {
        instance.skip = NOT_ON_PLATFORM[variant.id];
        continue;
      }
      if (variant.id === 'pg-read' && !postgres) {
        instance.skip = postgresSkip ?? 'PostgreSQL not set up';
        continue;
      }
      if (variant.id === 'login' && !existsSync(join(sampleAppDir, 'app.factory.js'))) {
        instance.failure = 'bench/dist/sample-app is missing: run without --no-build';
        continue;
      }
      const env = {
        ...process.env,
        BENCH_PLATFORM: platform,
        BENCH_REDIS_URL: redis.url,
        BENCH_APP_MAX_SECONDS: String(Math.ceil(options.maxSeconds) + 60),
        NODE_ENV: 'benchmark',
        NO_COLOR: '1',
      };
      Object.assign(env, variant.env);
      if (postgres) {
        env.BENCH_PG_URL = options.pgUrl;
        env.BENCH_PG_SCHEMA = postgres.schema;
      }
      if (variant.id === 'login') {
        if (options.uvThreadpoolSize) env.UV_THREADPOOL_SIZE = String(options.uvThreadpoolSize);
        else delete env.UV_THREADPOOL_SIZE;
      }
      // One at a time: on two shared cores, parallel Nest boots only slow each other down.
      try {
        instance.app = await startApp(join(here, 'apps', `${instance.appName}.mjs`), {
          env,
          name: instance.key,
        });
        cleanups.push(() => instance.app.stop());
        instance.base = `http://127.0.0.1:${instance.app.info.port}`;
        await prepareRequest(instance, postgres);
        await probe(instance);
        log(`${instance.key}: pid ${instance.app.info.pid}, ${instance.base}`);
      } catch (error) {
        // eslint-disable-next-line no-control-regex
        const plain = error.message.replace(/\x1b\[[0-9;]*m/g, '');
        instance.failure = plain.split('\n').slice(0, 6).join(' ');
        log(`${instance.key}: ${instance.failure}`);
      }
    }
  }
  return instances;
}

async function request(url, init = {}) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
}

async function prepareRequest(instance, postgres) {
  const { variant, base } = instance;
  instance.request = {
    url: `${base}${variant.path}`,
    method: variant.method ?? 'GET',
    headers: {},
  };
  switch (variant.auth) {
    case 'ours':
    case 'es':
      instance.userId = randomUUID();
      instance.cookie = await loginCookie(base, instance.userId);
      instance.request.headers.cookie = instance.cookie;
      break;
    case 'pg':
      instance.request.headers.cookie = `sid=${postgres.sessionId}`;
      break;
    case 'sample': {
      // Many users, each from its own client address (X-Forwarded-For, trusted from loopback
      // by the app): logins as real traffic makes them, and within the app's default login
      // throttle (a few attempts in flight per account, 50 per address).
      const users = Array.from({ length: instance.connections }, (_, i) => ({
        email: `bench-${i}-${randomUUID()}@example.com`,
        address: `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      }));
      for (let i = 0; i < users.length; i += 8) {
        await Promise.all(users.slice(i, i + 8).map((user) => signUp(base, user)));
      }
      instance.request.headers['content-type'] = 'application/json';
      instance.request.variants = users.map((user) => ({
        body: JSON.stringify({ email: user.email, password: SAMPLE_PASSWORD }),
        headers: { 'x-forwarded-for': user.address },
      }));
      break;
    }
    default:
      break;
  }
}

async function signUp(base, { email, address }) {
  const response = await request(`${base}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password: SAMPLE_PASSWORD }),
  });
  const text = await response.text();
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`signup answered ${response.status}: ${text}`);
  }
}

/** One request like those of the load: it must succeed, or the row fails before measuring. */
async function probe(instance) {
  const { url, method, variants } = instance.request;
  const headers = { ...instance.request.headers, ...variants?.[0]?.headers };
  const body = variants?.[0]?.body ?? instance.request.body;
  const response = await request(url, { method, headers, body });
  if (response.status < 200 || response.status > 299) {
    throw new Error(`probe ${method} ${url} answered ${response.status}: ${await response.text()}`);
  }
}

// --- HTTP rows -------------------------------------------------------------------------------

async function loadOnce(instance, durationS) {
  return autocannon({ ...instance.request, connections: instance.connections, durationS });
}

async function httpRounds(instances, httpVariants) {
  const measured = instances.filter((i) => httpVariants.includes(i.variant));
  const runnable = measured.filter((i) => i.app && !i.failure);
  for (const instance of runnable) {
    instance.runs = [];
    instance.errors = [];
    log(`warm-up ${instance.key} (${options.warmupS} s)`);
    try {
      await loadOnce(instance, options.warmupS);
    } catch (error) {
      instance.errors.push(`warm-up: ${error.message}`);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    // Rotated start each round, so no variant always runs first or last.
    const order = runnable.map((_, i) => runnable[(i + round) % runnable.length]);
    for (const instance of order) {
      log(`round ${round + 1}/${options.rounds}: ${instance.key} (${options.durationS} s)`);
      try {
        instance.runs.push(await loadOnce(instance, options.durationS));
      } catch (error) {
        instance.errors.push(`round ${round + 1}: ${error.message}`);
      }
    }
  }

  const bare = new Map();
  for (const instance of measured) {
    if (instance.variant.id === 'bare' && instance.runs?.length) {
      bare.set(instance.platform, summarize(instance.runs.map((run) => run.rps)).median);
    }
  }
  for (const instance of measured) {
    const id = `http.${instance.key}`;
    if (instance.skip) {
      rows.push(skippedRow(id, 'http', instance.label, instance.skip));
      continue;
    }
    if (instance.failure || !instance.runs?.length) {
      rows.push(
        failedRow(id, 'http', instance.label, instance.failure ?? instance.errors.join('; ')),
      );
      continue;
    }
    const stats = summarize(instance.runs.map((run) => run.rps));
    const completed = instance.runs.reduce((sum, run) => sum + run.completed, 0);
    const bad = instance.runs.reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0);
    const p50 = summarize(instance.runs.map((run) => run.latencyMs.p50)).median;
    const p99 = summarize(instance.runs.map((run) => run.latencyMs.p99)).median;
    const notes = [`latency p50 ${p50} ms, p99 ${p99} ms`, `${completed} requests`];
    if (instance.variant.id === 'login') {
      notes.push(`UV_THREADPOOL_SIZE ${settingsThreadpool()}`);
      notes.push(
        `${instance.connections} connections, ${instance.request.variants.length} users round-robin, each from its own address`,
      );
    }
    if (instance.variant.id === 'pg-read') {
      notes.push(`pool of ${instance.app.info.poolSize}, ${options.pgRows + 1} rows`);
    }
    if (bad > 0) {
      const codes = [...new Set(instance.runs.map((run) => run.statusCodes))].join(',');
      notes.push(`⚠ ${bad} non-2xx/errors/timeouts (status codes seen: ${codes})`);
    }
    if (instance.errors.length) notes.push(`⚠ ${instance.errors.join('; ')}`);
    const baseline = bare.get(instance.platform);
    const failed = bad > completed * 0.01;
    rows.push({
      id,
      group: 'http',
      label: instance.label,
      unit: 'req/s',
      ...stats,
      ratio:
        baseline && instance.variant.id !== 'bare'
          ? { value: stats.median / baseline, base: 'bare' }
          : null,
      notes: notes.join('; '),
      status: failed ? 'failed' : 'ok',
      reason: failed ? `more than 1% of requests failed: ${notes.join('; ')}` : undefined,
      detail: { runs: instance.runs },
    });
  }
}

function settingsThreadpool() {
  return options.uvThreadpoolSize ?? '4 (libuv default)';
}

// --- Redis commands per request --------------------------------------------------------------

async function commandStats(admin) {
  const stats = new Map();
  for (const match of (await admin.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
    stats.set(match[1], Number(match[2]));
  }
  return stats;
}

async function commandCounts(admin, instances, platform, ids, rowPrefix = '') {
  for (const id of ids) {
    const instance = instances.find((i) => i.platform === platform && i.variant.id === id);
    if (instance?.skip) continue;
    const rowId = rowPrefix ? `commands.${platform}:${id}` : `commands.${id}`;
    const variantLabel = instance?.variantLabel ?? HTTP_VARIANTS.find((v) => v.id === id).label;
    const label = `${rowPrefix}Redis commands per request: ${variantLabel}`;
    if (!instance?.app || instance.failure) {
      rows.push(failedRow(rowId, 'commands', label, instance?.failure ?? 'app not started'));
      continue;
    }
    try {
      log(`commands per request: ${id} (${options.commandRequests} requests)`);
      const before = await commandStats(admin);
      // MONITOR tells the commands the app sent from those its scripts ran ("lua" source).
      const monitor = await admin.monitor();
      let sent = 0;
      let inScripts = 0;
      monitor.on('monitor', (_time, args, source) => {
        const name = String(args[0]).toLowerCase();
        if (name === 'info') return;
        if (source === 'lua') inScripts++;
        else sent++;
      });
      await sleep(100);
      const run = await autocannon({
        ...instance.request,
        connections: 10,
        amount: options.commandRequests,
      });
      await sleep(300);
      monitor.disconnect();
      const after = await commandStats(admin);
      const delta = [...after]
        .map(([name, calls]) => [name, calls - (before.get(name) ?? 0)])
        .filter(([name, calls]) => calls > 0 && !NOT_COUNTED.test(name));
      const requests = run.completed;
      const total = delta.reduce((sum, [, calls]) => sum + calls, 0);
      const breakdown = delta
        .sort((a, b) => b[1] - a[1])
        .map(([name, calls]) =>
          calls / requests < 0.01
            ? `${name} ${calls} in all`
            : `${name} ${(calls / requests).toFixed(2)}`,
        )
        .join(', ');
      const bad = run.non2xx + run.errors + run.timeouts;
      rows.push({
        id: rowId,
        group: 'commands',
        label,
        unit: 'cmds/req',
        median: sent / requests,
        min: NaN,
        max: NaN,
        samples: [sent / requests],
        ratio: null,
        notes:
          `sent by the app (MONITOR); executed in all (INFO commandstats, incl. inside scripts) ` +
          `${(total / requests).toFixed(2)}: ${breakdown}; over ${requests} requests` +
          (bad ? `; ⚠ ${bad} failed requests` : ''),
        status: bad > requests * 0.01 ? 'failed' : 'ok',
        reason: bad ? `${bad} of ${requests} requests failed` : undefined,
        detail: { sent, inScripts, requests, commandstats: Object.fromEntries(delta) },
      });
    } catch (error) {
      rows.push(failedRow(rowId, 'commands', label, error.message));
    }
  }
}

// --- bytes per session -----------------------------------------------------------------------

async function memoryUsage(admin, key) {
  const bytes = await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
  if (bytes === null) throw new Error(`key ${key} does not exist`);
  return Number(bytes);
}

async function memoryUsageUnderDefaultPrefix(admin, key, benchPrefix) {
  if (!key.startsWith(benchPrefix)) throw new Error(`key ${key} lacks the prefix ${benchPrefix}`);
  const copy = DEFAULT_KEY_PREFIX + key.slice(benchPrefix.length);
  if ((await admin.copy(key, copy)) !== 1) throw new Error(`could not copy ${key} to ${copy}`);
  try {
    return await memoryUsage(admin, copy);
  } finally {
    await admin.del(copy);
  }
}

async function sessionBytes(admin, ours, es) {
  let oursTotal = NaN;
  const oursLabel = 'bytes per session: ours (session hash + share of user index)';
  if (ours?.app && !ours.failure) {
    try {
      const prefix = ours.app.info.keyPrefix;
      const userId = randomUUID();
      const cookie = await loginCookie(ours.base, userId);
      const token = cookie.slice('sid='.length);
      const sessionKey = sessionKeyOf(prefix, token);
      const indexKey = `${prefix}{${token.slice(0, 2)}}:i:${userId}`;
      const session = await memoryUsageUnderDefaultPrefix(admin, sessionKey, prefix);
      const index = await memoryUsageUnderDefaultPrefix(admin, indexKey, prefix);
      const asRun = (await memoryUsage(admin, sessionKey)) + (await memoryUsage(admin, indexKey));
      const entries = Object.keys(await admin.hgetall(indexKey)).filter((f) => f !== '#g');
      const fields = await admin.hgetall(sessionKey);
      const payload = Object.entries(fields).reduce(
        (sum, [f, v]) => sum + Buffer.byteLength(f) + Buffer.byteLength(v),
        0,
      );
      oursTotal = session + index / entries.length;
      // The same user on nine more devices: the index is shared by ten sessions.
      for (let i = 0; i < 9; i++) await loginCookie(ours.base, userId);
      const index10 = await memoryUsageUnderDefaultPrefix(admin, indexKey, prefix);
      const perSession10 = session + index10 / 10;
      rows.push({
        id: 'bytes.ours',
        group: 'bytes',
        label: oursLabel,
        unit: 'B',
        median: oursTotal,
        min: NaN,
        max: NaN,
        samples: [oursTotal],
        ratio: null,
        notes:
          `MEMORY USAGE with the default key prefix "${DEFAULT_KEY_PREFIX}": ` +
          `session ${session} B (${Object.keys(fields).length} fields, ${payload} B of fields+values) ` +
          `+ user index ${index} B / ${entries.length} session; with 10 sessions per user: ` +
          `${Math.round(perSession10)} B per session (index ${index10} B / 10). ` +
          `Typical session: uuid user id, roles ["user"], ip + Chrome UA, 3 small app keys. ` +
          `Under the bench's prefix "${prefix}": ${asRun} B`,
        status: 'ok',
      });
    } catch (error) {
      rows.push(failedRow('bytes.ours', 'bytes', oursLabel, error.message));
    }
  } else rows.push(failedRow('bytes.ours', 'bytes', oursLabel, ours?.failure ?? 'app not started'));

  const esLabel = `bytes per session: ${es?.variantLabel?.replace(/: read$/, '') ?? 'express-session + connect-redis'}`;
  if (es?.app && !es.failure) {
    try {
      const cookie = await loginCookie(es.base, randomUUID());
      // express-session signs as s:<id>.<signature>, @fastify/session as <id>.<signature>.
      const signed = decodeURIComponent(cookie.slice('sid='.length)).replace(/^s:/, '');
      const sid = signed.slice(0, signed.lastIndexOf('.'));
      const key = `${es.app.info.keyPrefix}${sid}`;
      const bytes = await memoryUsageUnderDefaultPrefix(admin, key, es.app.info.keyPrefix);
      const length = await admin.strlen(key);
      rows.push({
        id: 'bytes.express-session',
        group: 'bytes',
        label: esLabel,
        unit: 'B',
        median: bytes,
        min: NaN,
        max: NaN,
        samples: [bytes],
        ratio: null,
        notes: `MEMORY USAGE of the session string with the default key prefix "${DEFAULT_KEY_PREFIX}" (${length} B of JSON, incl. the session's cookie object); same content; no per-user index (listing a user's sessions would need a SCAN); under the bench's prefix "${es.app.info.keyPrefix}": ${await memoryUsage(admin, key)} B`,
        status: 'ok',
      });
      const oursRow = rows.find((row) => row.id === 'bytes.ours');
      if (oursRow?.status === 'ok') {
        oursRow.ratio = { value: oursTotal / bytes, base: 'connect-redis' };
      }
    } catch (error) {
      rows.push(failedRow('bytes.express-session', 'bytes', esLabel, error.message));
    }
  } else {
    rows.push(
      failedRow('bytes.express-session', 'bytes', esLabel, es?.failure ?? 'app not started'),
    );
  }
}

// --- store-level reads -----------------------------------------------------------------------

async function storeReads(redis, admin, ours) {
  const variants = [
    {
      id: 'store.read.ours.no-ap',
      mode: 'store',
      pipelining: 'off',
      label: 'store reads/s: RedisSessionStore.read, no auto-pipelining',
    },
    {
      id: 'store.read.ours.immediate',
      mode: 'store',
      pipelining: 'off',
      socketWrites: 'immediate',
      base: 'store.read.get.no-ap',
      label:
        "store reads/s: RedisSessionStore.read with socketWrites: 'immediate' (one socket write per command), no auto-pipelining",
    },
    {
      id: 'store.read.ours.ap',
      mode: 'store',
      pipelining: 'on',
      label:
        'store reads/s: RedisSessionStore.read, a client of your own with enableAutoPipelining (scripts auto-pipelined too)',
    },
    {
      id: 'store.read.ours.ap-scripts-out',
      mode: 'store',
      pipelining: 'scripts-out',
      base: 'store.read.get.ap',
      label:
        'store reads/s: RedisSessionStore.read, enableAutoPipelining with the scripts kept out (as on the clients the module builds)',
    },
    {
      id: 'store.read.get.no-ap',
      mode: 'get',
      pipelining: 'off',
      label: 'store reads/s: raw ioredis GET, same bytes, no auto-pipelining',
    },
    {
      id: 'store.read.get.ap',
      mode: 'get',
      pipelining: 'on',
      label: 'store reads/s: raw ioredis GET, same bytes, enableAutoPipelining',
    },
  ];
  if (!ours?.app || ours.failure) {
    for (const v of variants)
      rows.push(failedRow(v.id, 'store', v.label, ours?.failure ?? 'no session to read'));
    return;
  }
  const prefix = ours.app.info.keyPrefix;
  const token = ours.cookie.slice('sid='.length);
  const fields = await admin.hgetall(sessionKeyOf(prefix, token));
  const rawKey = 'bench:raw-session';
  const rawValue = JSON.stringify(fields);
  await admin.set(rawKey, rawValue);
  const script = join(here, 'store', 'reads.mjs');
  const samples = new Map(variants.map((v) => [v.id, []]));
  const errors = new Map(variants.map((v) => [v.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const v of order) {
      log(`round ${round + 1}/${options.rounds}: ${v.id} (${options.durationS} s)`);
      try {
        const result = await runNodeJson(
          script,
          [
            '--url',
            redis.url,
            '--mode',
            v.mode,
            '--pipelining',
            v.pipelining,
            '--inflight',
            String(options.storeInflight),
            '--duration',
            String(options.durationS),
            '--warmup',
            String(round === 0 ? options.warmupS : Math.min(options.warmupS, 0.5)),
            '--prefix',
            prefix,
            '--token',
            token,
            '--key',
            rawKey,
            '--socket-writes',
            v.socketWrites ?? 'coalesced',
          ],
          { timeoutMs: (options.durationS + options.warmupS + 30) * 1000 },
        );
        samples.get(v.id).push(result.opsPerSec);
        if (result.errors) errors.get(v.id).push(`${result.errors} errors in round ${round + 1}`);
      } catch (error) {
        errors.get(v.id).push(error.message.split('\n')[0]);
      }
    }
  }
  const medians = new Map();
  for (const v of variants) medians.set(v.id, summarize(samples.get(v.id)).median);
  for (const v of variants) {
    if (!samples.get(v.id).length) {
      rows.push(failedRow(v.id, 'store', v.label, [...new Set(errors.get(v.id))].join('; ')));
      continue;
    }
    const stats = summarize(samples.get(v.id));
    const base = v.mode === 'store' ? (v.base ?? v.id.replace('.ours.', '.get.')) : null;
    rows.push({
      id: v.id,
      group: 'store',
      label: v.label,
      unit: 'ops/s',
      ...stats,
      ratio: base
        ? {
            value: stats.median / medians.get(base),
            base: `GET, ${v.pipelining === 'off' ? 'no AP' : 'AP'}`,
          }
        : null,
      notes:
        `${options.storeInflight} in flight, one process; ` +
        (v.mode === 'store'
          ? `read script of a live session (${Object.keys(fields).length} fields)`
          : `GET of a ${rawValue.length} B JSON string of the same session`) +
        (errors.get(v.id).length ? `; ⚠ ${errors.get(v.id).join('; ')}` : ''),
      status: 'ok',
    });
  }
}

// --- listing one user's sessions -------------------------------------------------------------

async function listing(redis, admin, ours) {
  const sizes = [options.listSmallOthers, options.listLargeOthers];
  const label = (n) =>
    `list one user's 10 sessions, ${new Intl.NumberFormat('en-US').format(n)} other sessions in Redis`;
  if (!ours?.app || ours.failure) {
    for (const n of sizes)
      rows.push(failedRow(`list.${n}`, 'list', label(n), ours?.failure ?? 'app not started'));
    return;
  }
  const prefix = ours.app.info.keyPrefix;
  const userId = randomUUID();
  let cookie = '';
  for (let i = 0; i < 10; i++) cookie = await loginCookie(ours.base, userId);
  // Other sessions carry the User-Agent field as the library stored it for a real login.
  const storedUserAgent = await admin.hget(sessionKeyOf(prefix, cookie.slice('sid='.length)), 'ua');
  const script = join(here, 'store', 'list.mjs');
  let populated = 0;
  let smallMedian = NaN;
  for (const others of sizes) {
    const id = `list.${others}`;
    try {
      const started = Date.now();
      await populateOtherSessions(admin, {
        prefix,
        from: populated,
        to: others,
        storedUserAgent,
      });
      log(
        `populated ${others - populated} other sessions in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      populated = others;
      const dbsize = await admin.dbsize();
      const samples = [];
      const p99s = [];
      let listed = 0;
      for (let round = 0; round < options.rounds; round++) {
        log(`round ${round + 1}/${options.rounds}: listing with ${others} others`);
        const result = await runNodeJson(
          script,
          [
            '--url',
            redis.url,
            '--prefix',
            prefix,
            '--user',
            userId,
            '--iterations',
            String(options.listIterations),
          ],
          { timeoutMs: 60_000 },
        );
        samples.push(result.medianMs);
        p99s.push(result.p99Ms);
        listed = result.sessions;
      }
      const stats = summarize(samples);
      if (others === options.listSmallOthers) smallMedian = stats.median;
      rows.push({
        id,
        group: 'list',
        label: label(others),
        unit: 'ms',
        ...stats,
        ratio:
          others !== options.listSmallOthers
            ? { value: stats.median / smallMedian, base: '10k' }
            : null,
        notes:
          `RedisSessionStore.list, one call in flight, median of ${options.listIterations} calls per round ` +
          `(p99 ${summarize(p99s).median.toFixed(3)} ms); ${listed} sessions listed; DBSIZE ${dbsize} ` +
          `(each other session = 1 session hash + 1 user index)`,
        status: listed === 10 ? 'ok' : 'failed',
        reason: listed === 10 ? undefined : `listed ${listed} sessions, expected 10`,
      });
    } catch (error) {
      rows.push(failedRow(id, 'list', label(others), error.message.split('\n')[0]));
    }
  }
}
