import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServerOptions {
  /** AOF fsync policy; `false` (the default) runs without persistence. */
  appendOnly?: 'always' | 'everysec' | false;
  /** Data directory; when given it is kept on stop, otherwise a fresh temp dir is created and removed. */
  dir?: string;
  /** Loopback port; a free one is picked when omitted. Never 6379. */
  port?: number;
  /** Appended after the harness's own arguments, e.g. `['--enable-debug-command', 'local']`. */
  extraArgs?: string[];
}

export type RedisServerSignal = 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' | 'SIGTERM';

export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly url: string;
  /** PID of the current process; changes after `restart()`. */
  readonly pid: number;
  readonly dir: string;
  /** SIGCONT, SIGTERM, wait for exit (SIGKILL after 3 s), then remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal by PID, for fault injection. */
  kill(signal: RedisServerSignal): void;
  /** Resolves once the current process has exited (e.g. after `kill('SIGKILL')`). */
  waitForExit(): Promise<void>;
  /** Starts again on the same port, dir and arguments, and waits until PING answers. */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';
const FORBIDDEN_PORT = 6379;
const READY_DEADLINE_MS = 5_000;
const POLL_INTERVAL_MS = 20;
const STOP_GRACE_MS = 3_000;
const LOG_TAIL_CHARS = 4_000;
const NOT_FOUND_MESSAGE =
  'redis-server not found on PATH: install it (Debian: apt-get install redis-server) — ' +
  'the tests start their own server on a free loopback port and never use 6379';

const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let safetyNetInstalled = false;

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  return launch(opts, (port, dir) => buildArgs(port, dir, opts));
}

export interface RedisSentinelOptions {
  /**
   * Directives of the sentinel's config file, one per line, e.g.
   * `sentinel monitor mymaster 127.0.0.1 <port> 2`. The harness writes them to `sentinel.conf`
   * in a fresh temp dir of this sentinel (Sentinel needs a writable config file: it rewrites it).
   */
  config: readonly string[];
  /** Loopback port; a free one is picked when omitted. Never 6379. */
  port?: number;
}

/**
 * Starts `redis-server <dir>/sentinel.conf --sentinel` on a loopback port, with the same
 * lifecycle as `startRedisServer` (PID tracking, PING readiness, stop by PID, temp dir removed).
 */
export async function startRedisSentinel(opts: RedisSentinelOptions): Promise<RedisServerHandle> {
  return launch({ port: opts.port }, (port, dir) => {
    const configFile = join(dir, 'sentinel.conf');
    writeFileSync(configFile, `${opts.config.join('\n')}\n`);
    return [configFile, '--sentinel', '--port', String(port), '--bind', HOST, '--dir', dir];
  });
}

async function launch(
  opts: Pick<RedisServerOptions, 'dir' | 'port'>,
  argsFor: (port: number, dir: string) => string[],
): Promise<RedisServerHandle> {
  const binary = findOnPath('redis-server');
  if (binary === undefined) throw new Error(NOT_FOUND_MESSAGE);
  if (opts.port === FORBIDDEN_PORT) {
    throw new Error('startRedisServer: port 6379 is reserved for the developer’s own Redis');
  }
  installSafetyNet();

  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'redis-test-'));
  if (ownsDir) ownedDirs.add(dir);

  // A port picked by bind-and-release can be taken by someone else before Redis binds it;
  // retry with a fresh port in that case, but never when the caller asked for a fixed one.
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await findFreePort());
    const server = new ManagedRedisServer(binary, port, dir, ownsDir, argsFor(port, dir));
    try {
      await server.start();
      return server;
    } catch (error) {
      const portTaken = error instanceof Error && /address already in use/i.test(error.message);
      if (!portTaken || attempt >= attempts) {
        await server.stop();
        throw error;
      }
    }
  }
}

class ManagedRedisServer implements RedisServerHandle {
  readonly host = HOST;
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private logTail = '';
  private stopped = false;

  constructor(
    private readonly binary: string,
    readonly port: number,
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly args: readonly string[],
  ) {
    this.url = `redis://${HOST}:${port}`;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error('redis-server is not running');
    return pid;
  }

  async start(): Promise<void> {
    this.logTail = '';
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    liveChildren.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        liveChildren.delete(child);
        resolve();
      });
      // 'exit' may never fire when spawn itself fails.
      child.once('error', (error) => {
        this.appendLog(`spawn error: ${error.message}\n`);
        liveChildren.delete(child);
        resolve();
      });
    });
    // Redis logs to stdout; the pipes must be drained or a chatty server blocks on write.
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.appendLog(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.appendLog(chunk));
    await this.waitUntilReady(child);
  }

  kill(signal: RedisServerSignal): void {
    const child = this.child;
    // Signalling an exited PID could hit an unrelated process that reused it.
    if (child?.pid === undefined || !isRunning(child)) {
      throw new Error(`redis-server on port ${this.port} is not running`);
    }
    process.kill(child.pid, signal);
  }

  waitForExit(): Promise<void> {
    return this.exited;
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('restart() after stop(): start a new server instead');
    await this.terminate();
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.terminate();
    if (this.ownsDir) {
      rmSync(this.dir, { recursive: true, force: true });
      ownedDirs.delete(this.dir);
    }
  }

  private async terminate(): Promise<void> {
    const child = this.child;
    if (child === undefined || !isRunning(child)) return;
    // A SIGSTOPped process would never act on SIGTERM.
    signalQuietly(child, 'SIGCONT');
    signalQuietly(child, 'SIGTERM');
    const timer = setTimeout(() => signalQuietly(child, 'SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_DEADLINE_MS;
    while (Date.now() < deadline) {
      if (!isRunning(child)) {
        await this.exited;
        throw new Error(
          `redis-server on port ${this.port} exited before answering PING:\n${this.logTail}`,
        );
      }
      if (await pingOnce(this.port, this.pid, Math.min(250, deadline - Date.now()))) return;
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(
      `redis-server on port ${this.port} did not answer PING within ${READY_DEADLINE_MS} ms:\n${this.logTail}`,
    );
  }

  private appendLog(chunk: string): void {
    this.logTail = (this.logTail + chunk).slice(-LOG_TAIL_CHARS);
  }
}

function buildArgs(port: number, dir: string, opts: RedisServerOptions): string[] {
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--dir', dir];
  if (opts.appendOnly) {
    args.push('--appendonly', 'yes', '--appendfsync', opts.appendOnly);
  } else {
    args.push('--appendonly', 'no');
  }
  // Without this every replica sync waits 5 s (RELIABILITY.md §3).
  args.push('--repl-diskless-sync-delay', '0');
  return [...args, ...(opts.extraArgs ?? [])];
}

function findOnPath(command: string): string | undefined {
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    if (entry === '') continue;
    const candidate = join(entry, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

async function findFreePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        const found = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port !== 0 && port !== FORBIDDEN_PORT) return port;
  }
}

/**
 * Raw RESP `PING` + `INFO server` on one socket: ready only on `+PONG` (a loading server
 * answers `-LOADING`) from the expected PID, so another server that already holds the port
 * is never mistaken for ours.
 */
function pingOnce(port: number, expectedPid: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = createConnection({ host: HOST, port });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), Math.max(timeoutMs, 1));
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      socket.write('*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n');
    });
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (!reply.includes('\r\n')) return;
      if (!reply.startsWith('+PONG\r\n')) return finish(false);
      const pid = /process_id:(\d+)\r\n/.exec(reply)?.[1];
      if (pid !== undefined) finish(Number(pid) === expectedPid);
      else if (reply.slice('+PONG\r\n'.length).startsWith('-')) finish(false);
    });
    socket.once('error', () => finish(false));
  });
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

function signalQuietly(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  // Last resort when a test forgets stop() or the runner exits early: no orphan servers.
  process.on('exit', killEverything);
  // Vitest ends fork workers with SIGTERM, which skips 'exit' handlers.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killEverything();
      // Prepended, so any other handler is still registered here: if there is one, it owns
      // the shutdown; if not, restore the default action (terminate) that our listener disabled.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.prependListener(signal, onSignal);
  }
}

function killEverything(): void {
  for (const child of liveChildren) signalQuietly(child, 'SIGKILL');
  liveChildren.clear();
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
  ownedDirs.clear();
}
