import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { findSessionCookie, getSetCookies } from '../../../../test/support/cookies.js';
import { startRedisServer } from '../../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../../test/support/unique-prefix.js';
import { createFastifyApp, HANDLER_COOKIE, MIDDLEWARE_COOKIE } from './fastify-app.js';

const UNAUTHENTICATED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Authentication required',
};

/** The session token a response sets, failing the test when it sets none. */
function issuedToken(response: request.Response): string {
  const cookie = findSessionCookie(response, 'sid');
  expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return cookie!.value;
}

function expectCleared(response: request.Response): void {
  const cookie = findSessionCookie(response, 'sid');
  expect(cookie?.value).toBe('');
  expect(cookie?.attributes['max-age']).toBe('0');
}

// A consumer's app on @nestjs/platform-fastify, with nothing but SessionModule: no cookie
// plugin, no body of work for the library that Express would not need.
describe('SessionModule on Fastify', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createFastifyApp({
      redis: { url: inject('redisUrl') },
      keyPrefix: uniquePrefix('fastify-platform'),
      cookie: { secure: false },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  async function logIn(userId: string, userAgent = 'fastify-test'): Promise<string> {
    const response = await http()
      .post('/login')
      .set('User-Agent', userAgent)
      .send({ userId })
      .expect(200);
    return issuedToken(response);
  }

  it('logs in: a new HttpOnly, SameSite=Lax session cookie next to the app’s own cookies', async () => {
    const response = await http().post('/login').send({ userId: 'ann' }).expect(200);

    const session = findSessionCookie(response, 'sid');
    expect(session?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(session?.attributes).not.toHaveProperty('domain');
    expect(response.body).toMatchObject({ userId: 'ann' });
    expect(getSetCookies(response)).toEqual(
      expect.arrayContaining([HANDLER_COOKIE, MIDDLEWARE_COOKIE]),
    );
  });

  it('reads the session through @CurrentSession() on the next request', async () => {
    const login = await http().post('/login').send({ userId: 'bob' }).expect(200);
    const token = issuedToken(login);

    const me = await http().get('/me').set('Cookie', `sid=${token}`).expect(200);

    expect(me.body).toEqual({ id: (login.body as { id: string }).id, userId: 'bob', data: {} });
    expect(getSetCookies(me)).toEqual([]);
  });

  it('finds the session cookie among other cookies', async () => {
    const token = await logIn('cat');

    await http().get('/me').set('Cookie', `a=1; sid=${token}; b=2`).expect(200);
  });

  it('answers 401 without a cookie, and clears a cookie that names no session', async () => {
    const none = await http().get('/me').expect(401);
    const unknown = await http()
      .get('/me')
      .set('Cookie', `sid=${'Z'.repeat(43)}`)
      .expect(401);

    expect(none.body).toEqual(UNAUTHENTICATED);
    expect(getSetCookies(none)).toEqual([]);
    expect(unknown.body).toEqual(UNAUTHENTICATED);
    expectCleared(unknown);
  });

  it('saves what a handler writes to the session, without a new cookie', async () => {
    const token = await logIn('dan');

    const put = await http().put('/cart').set('Cookie', `sid=${token}`).send({ item: 'pear' });
    const me = await http().get('/me').set('Cookie', `sid=${token}`).expect(200);

    expect(put.status).toBe(200);
    expect(getSetCookies(put)).toEqual([]);
    expect(me.body).toMatchObject({ data: { cart: ['pear'] } });
  });

  it('records the client address and user agent Fastify reports', async () => {
    const token = await logIn('eve', 'Mozilla/5.0 (Fastify test)');

    const devices = await http().get('/devices').set('Cookie', `sid=${token}`).expect(200);

    expect(devices.body).toEqual([
      expect.objectContaining({
        current: true,
        ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/) as unknown,
        userAgent: 'Mozilla/5.0 (Fastify test)',
      }),
    ]);
  });

  it('rotates: a new token for the same session, the old one dead', async () => {
    const token = await logIn('fay');
    const before = await http().get('/me').set('Cookie', `sid=${token}`).expect(200);

    const rotated = await http().post('/rotate').set('Cookie', `sid=${token}`).expect(200);
    const fresh = issuedToken(rotated);

    expect(fresh).not.toBe(token);
    expect(rotated.body).toEqual({ id: (before.body as { id: string }).id });
    await http().get('/me').set('Cookie', `sid=${fresh}`).expect(200);
    await http().get('/me').set('Cookie', `sid=${token}`).expect(401);
  });

  it('logs out: 204, the cookie cleared, the token dead', async () => {
    const token = await logIn('gus');

    const logout = await http().post('/logout').set('Cookie', `sid=${token}`).expect(204);

    expectCleared(logout);
    expect(logout.text).toBe('');
    await http().get('/me').set('Cookie', `sid=${token}`).expect(401);
  });

  it('refuses a cross-site unsafe request that carries the session cookie: 403', async () => {
    const token = await logIn('hal');

    const response = await http()
      .put('/cart')
      .set('Cookie', `sid=${token}`)
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ item: 'stolen' });
    const me = await http().get('/me').set('Cookie', `sid=${token}`).expect(200);

    expect(response.status).toBe(403);
    expect(me.body).toMatchObject({ data: {} });
  });
});

describe('SessionModule on Fastify when Redis is down', () => {
  it('answers 503 with Retry-After where the session is needed', async () => {
    const server = await startRedisServer();
    const app = await createFastifyApp({
      redis: { url: server.url },
      cookie: { secure: false },
      retryAfterSeconds: 3,
    });
    try {
      const login = await request(app.getHttpServer())
        .post('/login')
        .send({ userId: 'ivy' })
        .expect(200);
      const token = issuedToken(login);
      server.kill('SIGKILL');

      const guarded = await request(app.getHttpServer()).get('/me').set('Cookie', `sid=${token}`);
      const publicRoute = await request(app.getHttpServer()).post('/login').send({ userId: 'x' });

      for (const response of [guarded, publicRoute]) {
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('3');
        expect(response.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'Session store is unavailable; retry shortly',
        });
      }
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
