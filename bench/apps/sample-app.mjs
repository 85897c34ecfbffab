// Row "login": the sample app (src/, compiled by the runner to bench/dist/sample-app) with its
// real POST /auth/login (passport-local, argon2id verify, SessionService.establish), listening
// on loopback only, with its default settings but TRUST_PROXY=loopback. UV_THREADPOOL_SIZE is
// whatever the runner put in the environment.
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, listenAndReport } from './common.mjs';

const compiled = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'sample-app');
const { createApp } = await import(pathToFileURL(join(compiled, 'app.factory.js')).href);
const { loadAppConfig } = await import(
  pathToFileURL(join(compiled, 'config', 'load-app-config.js')).href
);

const config = loadAppConfig({
  REDIS_URL: env.redisUrl,
  REDIS_KEY_PREFIX: process.env.BENCH_SAMPLE_KEY_PREFIX ?? 'bench-sample:',
  LOG_LEVEL: 'warn',
  // The runner gives each simulated user its own address in X-Forwarded-For.
  TRUST_PROXY: 'loopback',
  PORT: '0',
});
const app = await createApp(config);
await listenAndReport(app, {
  uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? null,
});
