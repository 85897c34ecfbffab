import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, logInSession, signUp } from '../support/auth-requests.js';
import { findSessionCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { dumpKeyspace, tokenDigest } from '../support/redis-dump.js';
import { connectTestRedis, type TestRedisClient } from '../support/test-redis-client.js';
import { uniquePrefix } from '../support/unique-prefix.js';
import { UNAUTHENTICATED } from '../support/expected-responses.js';

// ASVS 4.0.3 3.3.1: logout and expiration invalidate the session token, so the back button or
// a replayed cookie does not resume the session (RELIABILITY S4: on every instance of the app).
// Expiry itself: asvs-3.3.2-absolute-and-idle-timeout.

describe('ASVS 3.3.1: logout invalidates the token everywhere', () => {
  const keyPrefix = uniquePrefix('asvs-3.3.1');
  let instanceA: INestApplication;
  let instanceB: INestApplication;
  let a: Server;
  let b: Server;
  let redis: TestRedisClient;

  const me = (server: Server, token: string) =>
    request(server).get('/me').set('Cookie', `sid=${token}`);

  beforeAll(async () => {
    const settings = { redisUrl: inject('redisUrl'), keyPrefix };
    instanceA = await createTestApp(settings);
    instanceB = await createTestApp(settings);
    a = instanceA.getHttpServer();
    b = instanceB.getHttpServer();
    redis = connectTestRedis();
    await signUp(a, 'ann@example.com');
  });

  afterAll(async () => {
    await Promise.all([instanceA.close(), instanceB.close()]);
    await redis.quit();
  });

  it('answers 204, clears the cookie, and the token is 401 on both instances afterwards', async () => {
    const token = await logIn(a, 'ann@example.com');
    expect((await me(b, token)).status).toBe(200);

    const logout = await request(a).post('/auth/logout').set('Cookie', `sid=${token}`);

    expect(logout.status).toBe(204);
    const cleared = findSessionCookie(logout, 'sid');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes['max-age']).toBe('0');
    for (const server of [a, b]) {
      const replay = await me(server, token);
      expect(replay.status).toBe(401);
      expect(replay.body).toEqual(UNAUTHENTICATED);
    }
    expect((await request(b).post('/auth/logout').set('Cookie', `sid=${token}`)).status).toBe(401);
  });

  it('removes the session from Redis: no key or value holds its digest any more', async () => {
    const token = await logIn(a, 'ann@example.com');
    expect(await dumpKeyspace(redis, keyPrefix)).toContain(tokenDigest(token));

    await request(b).post('/auth/logout').set('Cookie', `sid=${token}`).expect(204);

    expect(await dumpKeyspace(redis, keyPrefix)).not.toContain(tokenDigest(token));
  });

  it('drops the session from the device list of the other devices', async () => {
    const phone = await logInSession(a, 'ann@example.com');
    const laptop = await logInSession(b, 'ann@example.com');

    await request(a).post('/auth/logout').set('Cookie', `sid=${phone.token}`).expect(204);

    const listed = await request(b).get('/sessions').set('Cookie', `sid=${laptop.token}`);
    const ids = (listed.body as Array<{ id: string }>).map((session) => session.id);
    expect(ids).toContain(laptop.sessionId);
    expect(ids).not.toContain(phone.sessionId);
  });

  it('tells browsers not to keep authenticated answers (back button after logout)', async () => {
    const token = await logIn(a, 'ann@example.com');

    const [profile, devices] = await Promise.all([
      me(a, token),
      request(a).get('/sessions').set('Cookie', `sid=${token}`),
    ]);

    expect(profile.headers['cache-control']).toBe('no-store');
    expect(devices.headers['cache-control']).toBe('no-store');
  });

  it('a logout racing requests on the same token leaves nothing alive', async () => {
    const token = await logIn(a, 'ann@example.com');

    await Promise.all([
      request(a).post('/auth/logout').set('Cookie', `sid=${token}`),
      me(b, token),
      request(b).get('/sessions').set('Cookie', `sid=${token}`),
    ]);

    expect((await me(a, token)).status).toBe(401);
    expect((await me(b, token)).status).toBe(401);
    expect(await dumpKeyspace(redis, keyPrefix)).not.toContain(tokenDigest(token));
  });
});
