import type { INestApplication } from '@nestjs/common';
import { SessionEvents } from 'nest-redis-session';
import request from 'supertest';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server.js';
import { sessionCookieOf } from './session-cookie-of.js';
import { createFixtureApp, registerSync } from './fixture-app.js';

const COOKIE = 'sid';

const sessionCookie = (res: request.Response) => sessionCookieOf(res, COOKIE);

// The save runs inside the HTTP adapter's reply/redirect, just before the response goes out
// (SessionReplyHook); these are the cases where that differs from "after the handler".
describe.each(['express', 'fastify'] as const)(
  'SessionModule saves the session just before the response (%s)',
  (platform) => {
    let server: RedisServerHandle;
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    /** An app on a Redis of its own, which the test may kill, and its store-unavailable reasons. */
    async function withOwnRedis(
      options: { retryAfterSeconds?: number },
      test: (
        app: INestApplication,
        redis: RedisServerHandle,
        unavailable: string[],
      ) => Promise<void>,
    ): Promise<void> {
      const local = await startRedisServer();
      const outage = await createFixtureApp(
        registerSync,
        { redis: { url: local.url }, cookie: { secure: false }, ...options },
        platform,
      );
      const unavailable: string[] = [];
      outage.get(SessionEvents).on('store-unavailable', (event) => unavailable.push(event.reason));
      try {
        await test(outage, local, unavailable);
      } finally {
        await outage.close();
        await local.stop();
      }
    }

    beforeAll(async () => {
      server = await startRedisServer();
      app = await createFixtureApp(
        registerSync,
        { redis: { url: server.url }, cookie: { secure: false } },
        platform,
      );
    });
    afterAll(async () => {
      await app?.close();
      await server?.stop();
    });

    async function logIn(userId: string): Promise<string> {
      const login = await http().post('/login').send({ userId }).expect(200);
      return `${COOKIE}=${sessionCookie(login)}`;
    }

    it('saves no data when the handler fails after writing (400), and keeps what was there', async () => {
      const cookie = await logIn('fails-after-writing');
      await http().put('/data').set('Cookie', cookie).send({ kept: 1 }).expect(200);
      const failed = await http()
        .put('/data-then-fail')
        .set('Cookie', cookie)
        .send({ kept: 2, added: true })
        .expect(400);
      expect(failed.body).toMatchObject({ statusCode: 400, message: 'Refused after writing' });
      const me = await http().get('/me').set('Cookie', cookie).expect(200);
      expect(me.body.data).toEqual({ kept: 1 });
    });

    it('still sends the cookie of a login that happened before the handler failed (409)', async () => {
      const failed = await http()
        .post('/login-then-fail')
        .send({ userId: 'logged-in-then-failed' })
        .expect(409);
      const token = sessionCookie(failed);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const me = await http().get('/me').set('Cookie', `${COOKIE}=${token}`).expect(200);
      expect(me.body.userId).toBe('logged-in-then-failed');
    });

    it('saves what a redirecting handler (@Redirect) wrote before the redirect goes out', async () => {
      const cookie = await logIn('redirected');
      const redirect = await http()
        .put('/data-then-redirect')
        .set('Cookie', cookie)
        .send({ step: 'two' })
        .expect(303);
      expect(redirect.headers.location).toBe('/me');
      const me = await http().get('/me').set('Cookie', cookie).expect(200);
      expect(me.body.data).toEqual({ step: 'two' });
    });

    it("puts Retry-After on a store failure inside SessionService before an app's own filter answers", async () => {
      await withOwnRedis({ retryAfterSeconds: 5 }, async (outage, local, unavailable) => {
        const pending = request(outage.getHttpServer())
          .post('/login-slowly?ms=300')
          .send({ userId: 'login-fails' })
          .then((response) => response);
        // The route is public and the visitor has no cookie: nothing touches Redis before the
        // login itself, 300 ms in.
        await new Promise((resolve) => setTimeout(resolve, 100));
        local.kill('SIGKILL');
        const res = await pending;
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ down: true });
        expect(res.headers['retry-after']).toBe('5');
        expect(unavailable).toHaveLength(1);
      });
    });

    it("reports a store failure of a SessionService call by user id (store-unavailable) when an app's own filter answers", async () => {
      await withOwnRedis({}, async (outage, local, unavailable) => {
        await request(outage.getHttpServer()).get('/users/someone/sessions').expect(200, []);
        local.kill('SIGKILL');
        const res = await request(outage.getHttpServer()).get('/users/someone/sessions');
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ down: true });
        expect(unavailable).toHaveLength(1);
      });
    });

    it('answers 503 with Retry-After through the exception filters when the save itself fails', async () => {
      await withOwnRedis({ retryAfterSeconds: 4 }, async (outage, local, unavailable) => {
        const login = await request(outage.getHttpServer())
          .post('/login')
          .send({ userId: 'save-fails' })
          .expect(200);
        const cookie = `${COOKIE}=${sessionCookie(login)}`;
        // Redis goes away after the read (the lookup event) and before the save (the handler
        // sleeps 300 ms).
        outage.get(SessionEvents).on('lookup', (event) => {
          if (event.outcome === 'found') local.kill('SIGKILL');
        });
        const res = await request(outage.getHttpServer())
          .put('/data-slowly?ms=300')
          .set('Cookie', cookie)
          .send({ lost: true });
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('4');
        expect(res.body).toEqual({
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'Session store is unavailable; retry shortly',
        });
        expect(res.text).not.toContain(' at ');
        expect(unavailable.length).toBeGreaterThan(0);
      });
    });
  },
);
