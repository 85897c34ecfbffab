import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { createTestApp } from './support/create-test-app.js';
import { connectTestRedis, type TestRedisClient } from './support/test-redis-client.js';
import { uniquePrefix } from './support/unique-prefix.js';

// Structured logs: one JSON line per answer (pino-http) with a request id that is echoed in the
// response, Nest's own lines in the same stream carrying that id, and never a secret in them.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RequestLine {
  level: string;
  msg: string;
  reqId?: string;
  req?: { id: string; method: string; url: string };
  res?: { statusCode: number };
  context?: string;
}

describe('request logs', () => {
  const keyPrefix = uniquePrefix('request-logging');
  const logger = new CapturingLogger();
  let app: INestApplication;
  let server: Server;
  let redis: TestRedisClient;

  const linesOf = (requestId: string): RequestLine[] =>
    (logger.records() as unknown as RequestLine[]).filter(
      (line) => line.reqId === requestId || line.req?.id === requestId,
    );

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      logLevel: 'verbose',
      logger,
    });
    server = app.getHttpServer();
    redis = connectTestRedis();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  it('echoes a sane X-Request-Id and logs the answer under it, path without query', async () => {
    const response = await request(server)
      .get('/health?probe=1')
      .set('X-Request-Id', 'probe-4f2a.1');

    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('probe-4f2a.1');
    const [line, ...more] = linesOf('probe-4f2a.1');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 'debug',
      msg: 'request completed',
      reqId: 'probe-4f2a.1',
      req: { id: 'probe-4f2a.1', method: 'GET', url: '/health' },
      res: { statusCode: 200 },
    });
  });

  it.each([
    ['none', undefined],
    ['one with a line break', 'abc\tdef'],
    ['one over 64 characters', 'x'.repeat(65)],
  ])('makes a UUID when the request brings %s', async (_case, incoming) => {
    const call = request(server).get('/health');
    if (incoming !== undefined) call.set('X-Request-Id', incoming);
    const response = await call;

    const id = String(response.headers['x-request-id']);
    expect(id).toMatch(UUID);
    expect(linesOf(id)).toHaveLength(1);
  });

  it.each([
    '/',
    '/no-such-route',
    // Served before Nest's router on both platforms: logged all the same.
    '/assets/pages.css',
    '/docs-json',
  ])('gives %s an id and a line too', async (path) => {
    const id = `path-${path.replaceAll('/', '_')}`;
    const response = await request(server).get(path).set('X-Request-Id', id);

    expect(response.headers['x-request-id']).toBe(id);
    expect(linesOf(id)).toMatchObject([
      { req: { url: path }, res: { statusCode: response.status } },
    ]);
  });

  it("puts Nest's own lines of a request (an unexpected error) under the same id", async () => {
    const { token } = await logInSession(server, 'ann@example.com');
    const me = await request(server).get('/me').set('Cookie', `sid=${token}`);
    const { id } = me.body as { id: string };
    await redis.del(`${keyPrefix}app:user:${id}`);
    await redis.set(`${keyPrefix}app:user:${id}`, 'not a hash');

    const response = await request(server)
      .get('/me')
      .set('Cookie', `sid=${token}`)
      .set('X-Request-Id', 'broken-user-1');

    expect(response.status).toBe(500);
    const lines = linesOf('broken-user-1');
    expect(lines.map((line) => [line.level, line.context ?? line.msg])).toEqual([
      ['error', 'ExceptionsHandler'],
      ['error', 'request failed'],
    ]);
    // The stack is the exception handler's; the request line carries no made-up one.
    expect(lines[1]).not.toHaveProperty('err');
  });

  it('logs a login, and a login over an old session, without token, password or cookie', async () => {
    await signUp(server, 'bob@example.com', TEST_PASSWORD);
    const first = await request(server)
      .post('/auth/login')
      .set('X-Request-Id', 'login-1')
      .send({ email: 'bob@example.com', password: TEST_PASSWORD });
    const firstToken = /sid=([^;]+)/.exec(String(first.headers['set-cookie']))?.[1] ?? '';
    const second = await request(server)
      .post('/auth/login')
      .set('X-Request-Id', 'login-2')
      .set('Cookie', `sid=${firstToken}`)
      .set('Authorization', 'Basic Ym9iOnNlY3JldA==')
      .send({ email: 'bob@example.com', password: TEST_PASSWORD });
    const secondToken = /sid=([^;]+)/.exec(String(second.headers['set-cookie']))?.[1] ?? '';

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(firstToken).not.toBe('');
    expect(secondToken).not.toBe('');
    const logged = JSON.stringify([...linesOf('login-1'), ...linesOf('login-2')]);
    expect(logged).toContain('"url":"/auth/login"');
    for (const secret of [firstToken, secondToken, TEST_PASSWORD, 'Ym9iOnNlY3JldA==']) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).not.toMatch(/cookie|authorization/i);
  });
});

describe('request logs at the default LOG_LEVEL (log)', () => {
  const logger = new CapturingLogger();
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix: uniquePrefix('request-logging-default'),
      logLevel: 'log',
      logger,
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('leave out answers that went well and keep refusals', async () => {
    const server = app.getHttpServer() as Server;
    await request(server).get('/health').set('X-Request-Id', 'fine-1');
    await request(server).get('/me').set('X-Request-Id', 'refused-1');

    const records = logger.records() as unknown as RequestLine[];
    expect(records.filter((line) => line.req?.id === 'fine-1')).toEqual([]);
    expect(records.filter((line) => line.req?.id === 'refused-1')).toMatchObject([
      { level: 'info', res: { statusCode: 401 } },
    ]);
  });
});
