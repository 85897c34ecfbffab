import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

// Fail fast instead of queueing or retrying, so each assertion sees the server's real state.
function connect(url: string, extra: { commandTimeout?: number } = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...extra,
  });
  // Connection errors are asserted through the rejected promises; this only silences
  // ioredis's "Unhandled error event" log for the faults injected on purpose.
  redis.on('error', () => undefined);
  return redis;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function connectErrorCode(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

describe('test Redis harness', () => {
  const clients: Redis[] = [];
  let server: RedisServerHandle | undefined;

  function client(url: string, extra?: { commandTimeout?: number }): Redis {
    const redis = connect(url, extra);
    clients.push(redis);
    return redis;
  }

  afterEach(async () => {
    for (const redis of clients.splice(0)) redis.disconnect();
    await server?.stop();
    server = undefined;
  });

  it('globalSetup provides a loopback URL that answers PING and is not 6379', async () => {
    const url = inject('redisUrl');
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(url).port).not.toBe('6379');
    const redis = client(url);
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
  });

  it('starts on a free loopback port other than 6379 and answers PING', async () => {
    server = await startRedisServer();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    const redis = client(server.url);
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
  });

  it('SIGSTOP makes a command time out and SIGCONT recovers it', async () => {
    server = await startRedisServer();
    const redis = client(server.url, { commandTimeout: 300 });
    await redis.connect();

    server.kill('SIGSTOP');
    const started = Date.now();
    await expect(redis.ping()).rejects.toThrow(/Command timed out/);
    expect(Date.now() - started).toBeLessThan(1_000);

    server.kill('SIGCONT');
    expect(await redis.ping()).toBe('PONG');
  });

  it('after kill -9, restart() serves again on the same port and dir with a new PID', async () => {
    server = await startRedisServer();
    const { port, dir } = server;
    const firstPid = server.pid;

    server.kill('SIGKILL');
    await server.waitForExit();
    expect(isAlive(firstPid)).toBe(false);
    expect(await connectErrorCode(port)).toBe('ECONNREFUSED');

    await server.restart();
    expect(server.port).toBe(port);
    expect(server.dir).toBe(dir);
    expect(server.pid).not.toBe(firstPid);
    const redis = client(server.url);
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
  });

  it('with appendOnly, a write acknowledged before kill -9 survives restart()', async () => {
    server = await startRedisServer({ appendOnly: 'always' });
    const writer = client(server.url);
    await writer.connect();
    await writer.set('t:harness:aof', 'kept');

    server.kill('SIGKILL');
    await server.waitForExit();
    await server.restart();

    const reader = client(server.url);
    await reader.connect();
    expect(await reader.get('t:harness:aof')).toBe('kept');
  });

  it('stop() leaves no process and removes the temp dir, even when the server was stopped', async () => {
    server = await startRedisServer();
    const { pid, dir } = server;
    server.kill('SIGSTOP');

    await server.stop();

    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a port another server holds instead of mistaking it for its own', async () => {
    server = await startRedisServer();
    await expect(startRedisServer({ port: server.port })).rejects.toThrow(
      /exited before answering PING[\s\S]*Address already in use/,
    );
    await expect(startRedisServer({ port: 6379 })).rejects.toThrow(/6379/);
  });

  it('fails with an actionable message when redis-server is not on PATH', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedisServer()).rejects.toThrow(
        /redis-server not found on PATH: install it \(Debian: apt-get install redis-server\)/,
      );
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
