import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { findSessionCookie, getSetCookies } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { dumpKeyspace, tokenDigest } from '../support/redis-dump.js';
import { connectTestRedis, type TestRedisClient } from '../support/test-redis-client.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.2.3: the application stores session tokens in the browser only by secure means:
// an HttpOnly, SameSite=Lax, Path=/ cookie without Domain; in production also Secure and
// `__Host-` (RELIABILITY S5). On the server side, Redis holds a digest, never the token (S2).

const MAX_COOKIE_BYTES = 4096;

describe('ASVS 3.2.3: where the token is kept (development mode)', () => {
  const keyPrefix = uniquePrefix('asvs-3.2.3-dev');
  let app: INestApplication;
  let server: Server;
  let redis: TestRedisClient;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    redis = connectTestRedis();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  it('sets one cookie `sid`: HttpOnly, SameSite=Lax, Path=/, no Domain, no Secure, no expiry', async () => {
    const login = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });

    expect(getSetCookies(login)).toHaveLength(1);
    const cookie = findSessionCookie(login, 'sid');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.attributes).toEqual({ path: '/', httponly: true, samesite: 'Lax' });
  });

  it('keeps only a digest of the token in Redis: a full dump never contains the token', async () => {
    const token = await logIn(server, 'ann@example.com');
    const elevated = await request(server)
      .post('/auth/elevate')
      .set('Cookie', `sid=${token}`)
      .send({ password: TEST_PASSWORD });
    const rotated = findSessionCookie(elevated, 'sid')?.value ?? '';
    expect(rotated).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const dump = await dumpKeyspace(redis, keyPrefix);

    expect(dump).toContain(tokenDigest(rotated));
    for (const issued of [token, rotated]) {
      expect(dump).not.toContain(issued);
      // Nor any long piece of it (the shard tag aside).
      expect(dump).not.toContain(issued.slice(2, 22));
      expect(dump).not.toContain(issued.slice(22));
    }
  });
});

describe('ASVS 3.2.3: where the token is kept (production mode)', () => {
  const keyPrefix = uniquePrefix('asvs-3.2.3-production');
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      production: true,
      trustProxy: 'loopback',
    });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('sets one cookie `__Host-sid`: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
    const login = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });

    const [header, ...others] = getSetCookies(login);
    expect(others).toEqual([]);
    const cookie = findSessionCookie(login, '__Host-sid');
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.attributes).toEqual({
      path: '/',
      httponly: true,
      samesite: 'Lax',
      secure: true,
    });
    // Browsers accept cookies up to 4096 bytes of name, value and attributes.
    expect(Buffer.byteLength(header ?? '')).toBeLessThanOrEqual(MAX_COOKIE_BYTES);
  });

  it('authenticates with the __Host- cookie only', async () => {
    const token = await logIn(server, 'ann@example.com', { cookieName: '__Host-sid' });

    const [prefixed, plain] = await Promise.all([
      request(server).get('/me').set('Cookie', `__Host-sid=${token}`),
      request(server).get('/me').set('Cookie', `sid=${token}`),
    ]);

    expect(prefixed.status).toBe(200);
    expect(plain.status).toBe(401);
  });
});
