import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SessionEvents } from 'nest-redis-session';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server.js';
import { sessionCookieOf } from './session-cookie-of.js';
import { createFixtureApp, registerAsync, registerSync } from './fixture-app.js';

const COOKIE = 'sid';

const sessionCookie = (res: request.Response) => sessionCookieOf(res, COOKIE);

/** Script calls are the store's only round trips, so they count requests to Redis. */
async function scriptCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats');
  return [...info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

describe.each([
  ['forRoot', registerSync],
  ['forRootAsync', registerAsync],
] as const)('SessionModule over HTTP (%s)', (_, register) => {
  let server: RedisServerHandle;
  let admin: Redis;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    app = await createFixtureApp(register, {
      redis: { url: server.url },
      cookie: { secure: false },
      idleTimeoutSeconds: 60,
      absoluteTimeoutSeconds: 3600,
      touchIntervalSeconds: 30,
    });
  });
  afterAll(async () => {
    await app?.close();
    await admin?.quit();
    await server?.stop();
  });

  it('answers 401 in Nest error shape on a guarded route without a cookie', async () => {
    const res = await http().get('/me').expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Authentication required',
    });
  });

  it('costs no Redis call and writes nothing for a visitor who stores nothing', async () => {
    const before = await scriptCalls(admin);
    const res = await http().get('/public/session').expect(200);
    expect(res.body).toMatchObject({ userId: null, data: {}, persisted: false });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await scriptCalls(admin)).toBe(before);
    expect(await admin.dbsize()).toBe(0);
  });

  it('creates an anonymous session when data is first written, and keeps it', async () => {
    const first = await http().post('/public/cart').send({ item: 'apple' }).expect(200);
    const token = sessionCookie(first);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const second = await http()
      .post('/public/cart')
      .set('Cookie', `${COOKIE}=${token}`)
      .send({ item: 'pear' });
    expect(second.body).toEqual({ cart: ['apple', 'pear'] });
    // The same session: no new cookie is issued for a save.
    expect(sessionCookie(second)).toBeUndefined();
  });

  it('reads an authenticated session that changes nothing with exactly one Redis call', async () => {
    const login = await http().post('/login').send({ userId: 'reader' }).expect(200);
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    const before = await scriptCalls(admin);
    await http().get('/me').set('Cookie', cookie).expect(200);
    expect(await scriptCalls(admin)).toBe(before + 1);
  });

  it('saves once after the handler, and only what changed', async () => {
    const login = await http().post('/login').send({ userId: 'writer' }).expect(200);
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    let before = await scriptCalls(admin);
    await http().put('/data').set('Cookie', cookie).send({ a: 1, b: 2 }).expect(200);
    expect(await scriptCalls(admin)).toBe(before + 2); // read + one save
    before = await scriptCalls(admin);
    await http().put('/data').set('Cookie', cookie).send({ a: 1 }).expect(200); // same value
    expect(await scriptCalls(admin)).toBe(before + 1); // read only
    const me = await http().get('/me').set('Cookie', cookie).expect(200);
    expect(me.body.data).toEqual({ a: 1, b: 2 });
  });

  it('logs in under a new token, carries anonymous data over, and kills the old token', async () => {
    const anon = await http().post('/public/cart').send({ item: 'book' }).expect(200);
    const planted = sessionCookie(anon)!;
    const login = await http()
      .post('/login')
      .set('Cookie', `${COOKIE}=${planted}`)
      .send({ userId: 'u-carry' });
    const fresh = sessionCookie(login)!;
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(planted);
    const me = await http().get('/me').set('Cookie', `${COOKIE}=${fresh}`).expect(200);
    expect(me.body).toMatchObject({ userId: 'u-carry', data: { cart: ['book'] } });
    const old = await http()
      .get('/public/session')
      .set('Cookie', `${COOKIE}=${planted}`)
      .expect(200);
    expect(old.body).toMatchObject({ userId: null, data: {}, persisted: false });
  });

  it("does not carry another user's data into a new login", async () => {
    const first = await http().post('/login').send({ userId: 'alice' });
    const aliceCookie = `${COOKIE}=${sessionCookie(first)}`;
    await http().put('/data').set('Cookie', aliceCookie).send({ secret: 'alice-only' }).expect(200);
    const second = await http()
      .post('/login')
      .set('Cookie', aliceCookie)
      .send({ userId: 'bob' })
      .expect(200);
    const me = await http()
      .get('/me')
      .set('Cookie', `${COOKIE}=${sessionCookie(second)}`)
      .expect(200);
    expect(me.body).toMatchObject({ userId: 'bob', data: {} });
  });

  it('rotates to a new token with the same public id; the old token is dead', async () => {
    const login = await http().post('/login').send({ userId: 'rotator' });
    const oldToken = sessionCookie(login)!;
    const rotated = await http().post('/rotate').set('Cookie', `${COOKIE}=${oldToken}`).expect(200);
    const newToken = sessionCookie(rotated)!;
    expect(newToken).not.toBe(oldToken);
    expect(rotated.body.id).toBe(login.body.id);
    await http().get('/me').set('Cookie', `${COOKIE}=${oldToken}`).expect(401);
    await http().get('/me').set('Cookie', `${COOKIE}=${newToken}`).expect(200);
  });

  it('applies a rotation scheduled by a role change on a guarded route that never takes the session', async () => {
    const login = await http()
      .post('/login')
      .send({ userId: 'promoted', roles: ['user'] });
    const oldToken = sessionCookie(login)!;
    await http()
      .post('/users/promoted/roles')
      .set('Cookie', `${COOKIE}=${oldToken}`)
      .send({ roles: ['user', 'admin'] })
      .expect(201);

    // GET /signed-in has no @CurrentSession(): the guard applies the rotation itself.
    const next = await http().get('/signed-in').set('Cookie', `${COOKIE}=${oldToken}`).expect(200);
    const newToken = sessionCookie(next);
    expect(newToken).toBeDefined();
    expect(newToken).not.toBe(oldToken);
    const me = await http().get('/me').set('Cookie', `${COOKIE}=${newToken}`).expect(200);
    expect(me.body).toMatchObject({ id: login.body.id, roles: ['user', 'admin'] });
    // Applied once: the new cookie is not rotated again.
    const again = await http().get('/signed-in').set('Cookie', `${COOKIE}=${newToken}`).expect(200);
    expect(sessionCookie(again)).toBeUndefined();
  });

  it('gives exactly one of two concurrent rotations a live token, and the loser leaves the cookie alone', async () => {
    const login = await http().post('/login').send({ userId: 'racer' });
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    const results = await Promise.all(
      [1, 2].map(() => http().post('/rotate').set('Cookie', cookie)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    const winner = results.find((r) => r.status === 200)!;
    const loser = results.find((r) => r.status === 401)!;
    // Its response may reach the browser after the winner's: clearing would log the user out.
    expect(loser.headers['set-cookie']).toBeUndefined();
    await http()
      .get('/me')
      .set('Cookie', `${COOKIE}=${sessionCookie(winner)}`)
      .expect(200);
    await http().get('/me').set('Cookie', cookie).expect(401);
  });

  it('refuses a token a rotation or a login just replaced without clearing the cookie', async () => {
    const login = await http().post('/login').send({ userId: 'late-request' });
    const oldCookie = `${COOKIE}=${sessionCookie(login)}`;
    const rotated = await http().post('/rotate').set('Cookie', oldCookie).expect(200);
    const late = await http().get('/me').set('Cookie', oldCookie).expect(401);
    expect(late.headers['set-cookie']).toBeUndefined();
    await http()
      .get('/me')
      .set('Cookie', `${COOKIE}=${sessionCookie(rotated)}`)
      .expect(200);

    const visitor = await http().post('/public/cart').send({ item: 'tea' }).expect(200);
    const visitorCookie = `${COOKIE}=${sessionCookie(visitor)}`;
    await http()
      .post('/login')
      .set('Cookie', visitorCookie)
      .send({ userId: 'shopper' })
      .expect(200);
    const lateVisitor = await http().get('/public/session').set('Cookie', visitorCookie);
    expect(lateVisitor.body).toMatchObject({ userId: null, data: {}, persisted: false });
    expect(lateVisitor.headers['set-cookie']).toBeUndefined();
    // Storing what it writes would need a new cookie, which would replace the login's.
    const lateWrite = await http()
      .post('/public/cart')
      .set('Cookie', visitorCookie)
      .send({ item: 'cake' })
      .expect(200);
    expect(lateWrite.headers['set-cookie']).toBeUndefined();
  });

  it('leaves the cookie alone when a request that read the session saves after a rotation', async () => {
    const login = await http().post('/login').send({ userId: 'slow-writer' });
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    const slow = http().put('/data-slowly?ms=300').set('Cookie', cookie).send({ theme: 'dark' });
    const pending = slow.then((res) => res);
    await sleep(100);
    const rotated = await http().post('/rotate').set('Cookie', cookie).expect(200);
    const late = await pending;
    expect(late.status).toBe(200);
    expect(late.headers['set-cookie']).toBeUndefined();
    await http()
      .get('/me')
      .set('Cookie', `${COOKIE}=${sessionCookie(rotated)}`)
      .expect(200);
  });

  it('logs out the rotated session too when the logout raced the rotation (sent with the old cookie)', async () => {
    const login = await http().post('/login').send({ userId: 'double-click' });
    const oldCookie = `${COOKIE}=${sessionCookie(login)}`;
    const pending = http()
      .post('/logout-slowly?ms=300')
      .set('Cookie', oldCookie)
      .then((res) => res);
    await sleep(100);
    const rotated = await http().post('/rotate').set('Cookie', oldCookie).expect(200);
    const logout = await pending;
    expect(logout.status).toBe(204);
    expect((logout.headers['set-cookie'] as unknown as string[]).join()).toMatch(/sid=; Max-Age=0/);
    // Whichever response the browser applies last, no live token is left in it.
    await http()
      .get('/me')
      .set('Cookie', `${COOKIE}=${sessionCookie(rotated)}`)
      .expect(401);
  });

  it('still clears the cookie of a session that was logged out', async () => {
    const login = await http().post('/login').send({ userId: 'gone-for-good' });
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    await http().post('/logout').set('Cookie', cookie).expect(204);
    const res = await http().get('/me').set('Cookie', cookie).expect(401);
    expect((res.headers['set-cookie'] as unknown as string[]).join()).toMatch(/sid=; Max-Age=0/);
  });

  it('logs out: cookie cleared, token dead', async () => {
    const login = await http().post('/login').send({ userId: 'leaver' });
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    const res = await http().post('/logout').set('Cookie', cookie).expect(204);
    expect((res.headers['set-cookie'] as unknown as string[]).join()).toMatch(/sid=; Max-Age=0/);
    await http().get('/me').set('Cookie', cookie).expect(401);
  });

  it('keeps all 20 keys written by 20 parallel requests on one session', async () => {
    const login = await http().post('/login').send({ userId: 'parallel' });
    const cookie = `${COOKIE}=${sessionCookie(login)}`;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http()
          .put('/data')
          .set('Cookie', cookie)
          .send({ [`k${i}`]: i })
          .expect(200),
      ),
    );
    const me = await http().get('/me').set('Cookie', cookie).expect(200);
    expect(Object.keys(me.body.data as object)).toHaveLength(20);
  });

  it('clears a malformed or unknown cookie without calling Redis for the malformed one', async () => {
    const before = await scriptCalls(admin);
    const malformed = await http().get('/me').set('Cookie', `${COOKIE}=not-a-token`).expect(401);
    expect((malformed.headers['set-cookie'] as unknown as string[]).join()).toMatch(/Max-Age=0/);
    expect(await scriptCalls(admin)).toBe(before);
    const unknown = await http()
      .get('/me')
      .set('Cookie', `${COOKIE}=${'A'.repeat(43)}`)
      .expect(401);
    expect((unknown.headers['set-cookie'] as unknown as string[]).join()).toMatch(/Max-Age=0/);
  });

  it('sets the cookie attributes of the contract', async () => {
    const login = await http().post('/login').send({ userId: 'attrs' });
    const line = (login.headers['set-cookie'] as unknown as string[]).find((v) =>
      v.startsWith('sid='),
    )!;
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Domain=|Secure/);
  });
});

describe('SessionModule session data limits', () => {
  it('answers 413 when the data would exceed maxDataBytes, and writes nothing', async () => {
    const server = await startRedisServer();
    const app = await createFixtureApp(registerSync, {
      redis: { url: server.url },
      cookie: { secure: false },
      maxDataBytes: 200,
    });
    try {
      const http = () => request(app.getHttpServer());
      const login = await http().post('/login').send({ userId: 'hoarder' }).expect(200);
      const cookie = `${COOKIE}=${sessionCookie(login)}`;
      await http().put('/data').set('Cookie', cookie).send({ small: 'ok' }).expect(200);
      const res = await http()
        .put('/data')
        .set('Cookie', cookie)
        .send({ big: 'x'.repeat(300) })
        .expect(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: expect.stringMatching(
          /^Session data would take \d+ bytes, more than the 200 allowed/,
        ) as unknown,
      });
      const me = await http().get('/me').set('Cookie', cookie).expect(200);
      expect(me.body.data).toEqual({ small: 'ok' });
    } finally {
      await app.close();
      await server.stop();
    }
  });
});

describe('SessionModule when Redis is down', () => {
  it('answers 503 with Retry-After fast, serves routes that need no session, and recovers', async () => {
    const server = await startRedisServer();
    const app = await createFixtureApp(registerSync, {
      redis: { url: server.url },
      cookie: { secure: false },
      retryAfterSeconds: 2,
    });
    try {
      const seen: string[] = [];
      const events = app.get(SessionEvents);
      events.on('store-unavailable', (e) => seen.push(`unavailable:${e.reason}`));
      events.on('lookup', (e) => seen.push(`lookup:${e.outcome}`));
      const login = await request(app.getHttpServer())
        .post('/login')
        .send({ userId: 'outage' })
        .expect(200);
      const cookie = `${COOKIE}=${sessionCookie(login)}`;
      server.kill('SIGKILL');
      const started = Date.now();
      const res = await request(app.getHttpServer()).get('/me').set('Cookie', cookie);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Session store is unavailable; retry shortly',
      });
      expect(Date.now() - started).toBeLessThan(1000);
      // R2: once the client has seen the connection drop, a dead Redis costs no waiting at all.
      const durations: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        const again = await request(app.getHttpServer()).get('/me').set('Cookie', cookie);
        durations.push(performance.now() - t0);
        expect(again.status).toBe(503);
      }
      expect(Math.max(...durations)).toBeLessThan(200);
      expect(seen).toContain('lookup:no-cookie'); // the login
      expect(seen).toContain('lookup:unavailable');
      expect(seen.some((entry) => entry.startsWith('unavailable:'))).toBe(true);
      await request(app.getHttpServer())
        .get('/no-session-needed')
        .set('Cookie', cookie)
        .expect(200);

      // No persistence: the restarted server is empty, so the old session is gone but service is back.
      await server.restart();
      const deadline = Date.now() + 3000;
      let status = 0;
      while (Date.now() < deadline && status !== 401) {
        status = (await request(app.getHttpServer()).get('/me').set('Cookie', cookie)).status;
      }
      expect(status).toBe(401);
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
