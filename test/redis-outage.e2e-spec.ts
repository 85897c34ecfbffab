import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { logIn, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { createTestApp } from './support/create-test-app.js';
import { pollUntil, timed } from './support/poll-until.js';
import { startRedisServer, type RedisServerHandle } from './support/redis-server.js';
import { uniquePrefix } from './support/unique-prefix.js';

const STORE_UNAVAILABLE = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: expect.any(String),
};
const REDIS_UNREACHABLE = {
  statusCode: 503,
  error: 'Service Unavailable',
  message: 'Redis is unreachable',
};

describe('Redis outage: 503 with Retry-After, never 500 or a hang, and recovery without a restart', () => {
  let redisServer: RedisServerHandle;
  let app: INestApplication;
  let server: Server;
  let token: string;

  const me = (): request.Test => request(server).get('/me').set('Cookie', `sid=${token}`);

  function expectUnavailable(response: request.Response): void {
    expect(response.status).toBe(503);
    expect(response.body).toEqual(STORE_UNAVAILABLE);
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }

  async function expectRoutesWithoutRedisWork(): Promise<void> {
    const [noCookie, badSignup, badLogin, unknownRoute] = await Promise.all([
      request(server).get('/me'),
      request(server).post('/auth/signup').send({ email: 'nope', password: 'short' }),
      request(server).post('/auth/login').send({ email: 42 }),
      request(server).get('/no-such-route'),
    ]);
    expect(noCookie.status).toBe(401);
    expect(badSignup.status).toBe(400);
    expect(badLogin.status).toBe(401);
    expect(unknownRoute.status).toBe(404);
  }

  beforeAll(async () => {
    // AOF on: the data written before a kill is still there after the restart, so recovery
    // can be judged by the same session working again.
    redisServer = await startRedisServer({ appendOnly: 'always' });
    app = await createTestApp({
      redisUrl: redisServer.url,
      keyPrefix: uniquePrefix('redis-outage'),
    });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
    token = await logIn(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
    await redisServer.stop();
  });

  describe('Redis killed', () => {
    beforeAll(async () => {
      await me().expect(200);
      redisServer.kill('SIGKILL');
      await redisServer.waitForExit();
    });

    it('answers 503 + Retry-After within 2 s to every request that needs the session', async () => {
      const calls = await Promise.all(Array.from({ length: 20 }, () => timed(() => me())));

      for (const { result } of calls) expectUnavailable(result);
      expect(Math.max(...calls.map(({ ms }) => ms))).toBeLessThan(2000);
    });

    it('answers 503 to login and signup, which need Redis for users', async () => {
      const login = await request(server)
        .post('/auth/login')
        .send({ email: 'ann@example.com', password: TEST_PASSWORD });
      const signup = await request(server)
        .post('/auth/signup')
        .send({ email: 'bea@example.com', password: TEST_PASSWORD });

      expectUnavailable(login);
      expect(login.headers['set-cookie']).toBeUndefined();
      expectUnavailable(signup);
    });

    it('reports GET /health as 503 "Redis is unreachable" with Retry-After', async () => {
      const { result: response, ms } = await timed(() => request(server).get('/health'));

      expect(response.status).toBe(503);
      expect(response.body).toEqual(REDIS_UNREACHABLE);
      expect(response.headers['retry-after']).toBe('1');
      expect(ms).toBeLessThan(1500);
    });

    it('keeps answering routes that do not need Redis', async () => {
      await expectRoutesWithoutRedisWork();
    });

    it('recovers by itself once Redis is back: the same session works within a second', async () => {
      await redisServer.restart();

      const ms = await pollUntil(async () => (await me()).status === 200, { deadlineMs: 3000 });

      expect(ms).toBeLessThan(1000);
      expect((await request(server).get('/health')).body).toEqual({ status: 'ok', redis: 'up' });
    });
  });

  describe('Redis hung (SIGSTOP)', () => {
    let stopped = false;

    beforeAll(async () => {
      await me().expect(200);
      redisServer.kill('SIGSTOP');
      stopped = true;
    });

    afterAll(() => {
      if (stopped) redisServer.kill('SIGCONT');
    });

    it('answers 503 + Retry-After within about 1.2 s instead of hanging', async () => {
      const calls = await Promise.all(Array.from({ length: 10 }, () => timed(() => me())));

      for (const { result } of calls) expectUnavailable(result);
      expect(Math.max(...calls.map(({ ms }) => ms))).toBeLessThan(1300);
    });

    it('reports GET /health as 503 within about 1.2 s', async () => {
      const { result: response, ms } = await timed(() => request(server).get('/health'));

      expect(response.status).toBe(503);
      expect(response.body).toEqual(REDIS_UNREACHABLE);
      expect(ms).toBeLessThan(1300);
    });

    it('keeps answering routes that do not need Redis', async () => {
      await expectRoutesWithoutRedisWork();
    });

    it('comes back by itself after SIGCONT', async () => {
      redisServer.kill('SIGCONT');
      stopped = false;

      const ms = await pollUntil(async () => (await me()).status === 200, { deadlineMs: 4000 });

      expect(ms).toBeLessThan(2000);
      expect((await request(server).get('/health')).status).toBe(200);
    });
  });
});
