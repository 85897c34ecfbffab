// Runs the built sample app (dist/main.js). When no Redis is configured and redis-server is
// installed, it first starts a throwaway one on a free loopback port, so `npm start` works on
// a fresh machine without touching a Redis that may already run on 6379.
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');

if (!existsSync(entry)) {
  console.error(`${entry} not found: run \`npm run build\` first (or use \`npm start\`).`);
  process.exit(1);
}

const configured = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].some(
  (name) => (process.env[name] ?? '') !== '',
);
let app;
let redis;
const appRunning = () => app !== undefined && app.exitCode === null && app.signalCode === null;
for (const signal of FORWARDED_SIGNALS) {
  process.on(signal, () => {
    if (appRunning()) return signalQuietly(app.pid, signal);
    // Interrupted before the app started (or after it ended): just clean up and leave.
    redis?.killNow();
    process.exit(128 + (osConstants.signals[signal] ?? 1));
  });
}
process.on('exit', () => {
  if (appRunning()) signalQuietly(app.pid, 'SIGKILL');
  redis?.killNow();
});

const redisBinary = configured ? undefined : findOnPath('redis-server');
redis = redisBinary === undefined ? undefined : await startThrowawayRedis(redisBinary);
const env = { ...process.env };
if (redis !== undefined) {
  env.REDIS_URL = redis.url;
  console.log(
    `Started a throwaway Redis for this run on ${redis.url} (set REDIS_URL to use your own)`,
  );
}

// Detached: a terminal Ctrl-C reaches only this wrapper, so the app gets exactly one
// forwarded signal (two would cut Nest's graceful shutdown short) and Redis outlives it.
app = spawn(process.execPath, [entry], { cwd: root, env, stdio: 'inherit', detached: true });

const { code, signal } = await new Promise((done) => {
  app.once('exit', (exitCode, exitSignal) => done({ code: exitCode, signal: exitSignal }));
  app.once('error', (error) => {
    console.error(`could not start the app: ${error.message}`);
    done({ code: 1, signal: null });
  });
});
await redis?.stop();
process.exit(code ?? 128 + (osConstants.signals[signal] ?? 1));

async function startThrowawayRedis(binary) {
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-run-'));
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  // Own process group for the same reason as the app: a Ctrl-C must not stop Redis
  // while the app is still shutting down and may need it.
  const child = spawn(binary, [...args, '--dir', dir], { stdio: 'ignore', detached: true });
  const exited = new Promise((done) => child.once('exit', done));
  const running = () => child.exitCode === null && child.signalCode === null;
  const cleanDir = () => rmSync(dir, { recursive: true, force: true });
  const handle = {
    url: `redis://${HOST}:${port}`,
    killNow() {
      if (running()) signalQuietly(child.pid, 'SIGKILL');
      cleanDir();
    },
    async stop() {
      if (running()) {
        signalQuietly(child.pid, 'SIGCONT');
        signalQuietly(child.pid, 'SIGTERM');
        const timer = setTimeout(() => signalQuietly(child.pid, 'SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      cleanDir();
    },
  };
  redis = handle; // so an interrupt during the wait below still cleans it up
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && running()) {
    if (await answersPing(port, child.pid)) return handle;
    await sleep(20);
  }
  await handle.stop();
  redis = undefined;
  console.error(
    `The throwaway redis-server on port ${port} did not start; running the app without it.`,
  );
  return undefined;
}

function findOnPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, command), fsConstants.X_OK);
      return join(dir, command);
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

function findFreePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => (port === 6379 ? findFreePort().then(done, fail) : done(port)));
    });
  });
}

// PING plus the server's PID, so a different server already on the port is never taken for ours.
function answersPing(port, expectedPid) {
  return new Promise((done) => {
    let reply = '';
    const socket = createConnection({ host: HOST, port });
    const finish = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      done(ok);
    };
    const timer = setTimeout(() => finish(false), 250);
    socket.setEncoding('utf8');
    socket.once('connect', () =>
      socket.write('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'),
    );
    socket.on('data', (chunk) => {
      reply += chunk;
      if (!reply.includes('\r\n')) return;
      if (!reply.startsWith('+PONG\r\n')) return finish(false);
      const pid = /process_id:(\d+)\r\n/.exec(reply)?.[1];
      if (pid !== undefined) finish(Number(pid) === expectedPid);
    });
    socket.once('error', () => finish(false));
  });
}

function signalQuietly(pid, signal) {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
