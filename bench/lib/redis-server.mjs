// A throwaway redis-server on a free loopback port for one benchmark run (never 6379), in the
// manner of test/support/redis-server.ts: no persistence, its own temp dir, stopped by PID.
import { accessSync, constants as fsConstants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findFreePort } from './net.mjs';
import { isRunning, sleep, spawnTracked, stopChild, trackPid } from './processes.mjs';

const HOST = '127.0.0.1';
const FORBIDDEN_PORT = 6379;

/**
 * `lifetimeS` bounds the server's life even if the runner is killed without a chance to stop
 * it: redis-server then runs under coreutils `timeout` (when installed), which ends it.
 */
export async function startRedisServer({ extraArgs = [], lifetimeS } = {}) {
  const binary = findOnPath('redis-server');
  const timeoutBinary = lifetimeS ? findOnPath('timeout') : undefined;
  if (binary === undefined) {
    throw new Error('redis-server not found on PATH (Debian: apt-get install redis-server)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'redis-bench-'));
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await findFreePort();
    if (port === FORBIDDEN_PORT) continue;
    const args = [
      '--port',
      String(port),
      '--bind',
      HOST,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extraArgs,
    ];
    const child = timeoutBinary
      ? spawnTracked(timeoutBinary, [
          '-s',
          'TERM',
          '-k',
          '5',
          String(Math.ceil(lifetimeS)),
          binary,
          ...args,
        ])
      : spawnTracked(binary, args);
    let log = '';
    const append = (chunk) => (log = (log + chunk).slice(-4000));
    child.stdout.setEncoding('utf8').on('data', append);
    child.stderr.setEncoding('utf8').on('data', append);
    const deadline = Date.now() + 5000;
    let serverPid;
    while (Date.now() < deadline && isRunning(child)) {
      // Ours only: the answering server is our child, or the child of our `timeout`.
      const pid = await pingOnce(port);
      if (pid !== undefined && (pid === child.pid || parentOf(pid) === child.pid)) {
        serverPid = pid;
        break;
      }
      await sleep(20);
    }
    if (serverPid !== undefined) {
      const untrack = serverPid === child.pid ? () => {} : trackPid(serverPid);
      return {
        host: HOST,
        port,
        url: `redis://${HOST}:${port}`,
        pid: serverPid,
        async stop() {
          // SIGTERM to `timeout` is passed on to redis-server; SIGKILL to both after 3 s.
          await stopChild(child);
          if (serverPid !== child.pid && existsProcess(serverPid)) {
            try {
              process.kill(serverPid, 'SIGKILL');
            } catch {
              // gone meanwhile
            }
          }
          untrack();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child, 1000);
    if (!/address already in use/i.test(log) || attempt === 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server on port ${port} did not start:\n${log}`);
    }
  }
  throw new Error('unreachable');
}

function findOnPath(command) {
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    if (entry === '') continue;
    const candidate = join(entry, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function parentOf(pid) {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function existsProcess(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PING + INFO server on one socket: the PID of the server when it answers +PONG. */
function pingOnce(port) {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host: HOST, port });
    const finish = (pid) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => finish(undefined), 250);
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (!reply.includes('\r\n')) return;
      if (!reply.startsWith('+PONG\r\n')) return finish(undefined);
      const pid = /process_id:(\d+)\r\n/.exec(reply)?.[1];
      if (pid !== undefined) finish(Number(pid));
    });
    socket.once('error', () => finish(undefined));
  });
}
