import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { vi, type MockInstance } from 'vitest';
import { TEST_PASSWORD } from './support/auth-requests.js';
import { createTestApp } from './support/create-test-app.js';
import { pollUntil, timed } from './support/poll-until.js';
import { startRedisServer, type RedisServerHandle } from './support/redis-server.js';
import { uniquePrefix } from './support/unique-prefix.js';

// Well-formed, so the app has to ask Redis about it.
const SOME_TOKEN = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('app started while Redis is down', () => {
  let redisServer: RedisServerHandle;
  let app: INestApplication;
  let server: Server;
  let stderr: MockInstance<typeof process.stderr.write>;
  let stdout: MockInstance<typeof process.stdout.write>;

  function loggedLines(): string[] {
    return [...stderr.mock.calls, ...stdout.mock.calls]
      .map(([chunk]) => String(chunk))
      .join('')
      .split('\n');
  }

  beforeAll(async () => {
    // Start and kill a server: its port is then known to be free, and restart() reuses it.
    redisServer = await startRedisServer();
    redisServer.kill('SIGKILL');
    await redisServer.waitForExit();
    stderr = vi.spyOn(process.stderr, 'write');
    stdout = vi.spyOn(process.stdout, 'write');
  });

  afterAll(async () => {
    stderr.mockRestore();
    stdout.mockRestore();
    await app?.close();
    await redisServer.stop();
  });

  it('starts without waiting for Redis', async () => {
    const { result, ms } = await timed(() =>
      createTestApp({ redisUrl: redisServer.url, keyPrefix: uniquePrefix('app-boot') }),
    );
    app = result;
    server = app.getHttpServer();

    expect(ms).toBeLessThan(3000);
  });

  it('answers 503 + Retry-After where it needs Redis', async () => {
    const [me, signup, health] = await Promise.all([
      request(server).get('/me').set('Cookie', `sid=${SOME_TOKEN}`),
      request(server)
        .post('/auth/signup')
        .send({ email: 'ann@example.com', password: TEST_PASSWORD }),
      request(server).get('/health'),
    ]);

    for (const response of [me, signup, health]) {
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(health.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Redis is unreachable',
    });
  });

  it('answers where it does not need Redis', async () => {
    const response = await request(server).get('/me');

    expect(response.status).toBe(401);
  });

  it('logs one line naming the address it tried and how to start Redis, without a stack trace', () => {
    const lines = loggedLines();
    const mentions = lines.filter((line) => line.includes(`127.0.0.1:${redisServer.port}`));

    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toContain('redis-server');
    expect(mentions[0]).toContain('REDIS_URL');
    expect(lines.filter((line) => /^\s+at /.test(line))).toEqual([]);
  });

  it('serves within about a second of Redis coming up, without a restart', async () => {
    await redisServer.restart();

    const ms = await pollUntil(async () => (await request(server).get('/health')).status === 200, {
      deadlineMs: 3000,
    });

    expect(ms).toBeLessThan(1000);
    const signup = await request(server)
      .post('/auth/signup')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });
    expect(signup.status).toBe(201);
  });
});
