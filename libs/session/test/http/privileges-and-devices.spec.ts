import type { INestApplication } from '@nestjs/common';
import { SessionEvents, SessionService, type SessionEventMap } from 'nest-redis-session';
import request from 'supertest';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server.js';
import { createFixtureApp, registerSync } from './fixture-app.js';

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

function tokenOf(res: request.Response): string | undefined {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return lines.find((line) => line.startsWith('sid=') && !line.startsWith('sid=;'))?.split(';')[0];
}

describe('privileges, devices and events through SessionService', () => {
  let server: RedisServerHandle;
  let app: INestApplication;
  const events: Array<{ name: keyof SessionEventMap; sessionId: string; reason?: string }> = [];
  const http = () => request(app.getHttpServer());

  async function login(
    userId: string,
    userAgent = CHROME_WINDOWS,
    roles?: string[],
  ): Promise<string> {
    const res = await http()
      .post('/login')
      .set('User-Agent', userAgent)
      .send({ userId, roles })
      .expect(200);
    return tokenOf(res)!;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    app = await createFixtureApp(registerSync, {
      redis: { url: server.url },
      cookie: { secure: false },
      idleTimeoutSeconds: 2,
      touchIntervalSeconds: 1,
      maxSessionsPerUser: 3,
    });
    const bus = app.get(SessionEvents);
    for (const name of [
      'created',
      'rotated',
      'revoked',
      'expired-on-read',
      'logged-out',
    ] as const) {
      bus.on(name, (event) =>
        events.push({
          name,
          sessionId: event.sessionId,
          reason: 'reason' in event ? event.reason : undefined,
        }),
      );
    }
    // A listener that throws must not turn a completed operation into an error response.
    bus.on('created', () => {
      throw new Error('audit sink down');
    });
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });

  it('requires the role and an elevated session on a guarded route (403 otherwise), and rotates on elevation', async () => {
    const user = await login('plain-user', CHROME_WINDOWS, ['user']);
    const denied = await http().get('/admin').set('Cookie', user).expect(403);
    expect(denied.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'You do not have permission for this action',
    });

    const admin = await login('admin-user', CHROME_WINDOWS, ['user', 'admin']);
    const notElevated = await http().get('/admin').set('Cookie', admin).expect(403);
    expect(notElevated.body.message).toBe('This action needs you to confirm your password first');

    const elevated = await http().post('/elevate').set('Cookie', admin).expect(200);
    const elevatedToken = tokenOf(elevated)!;
    expect(elevatedToken).not.toBe(admin);
    expect(new Date(elevated.body.elevatedUntil as string).getTime()).toBeGreaterThan(
      Date.now() + 200_000,
    );
    await http().get('/admin').set('Cookie', admin).expect(401);
    const ok = await http().get('/admin').set('Cookie', elevatedToken).expect(200);
    expect(ok.body).toEqual({ roles: ['user', 'admin'] });
  });

  it('checks a role or elevation that a handler asks for inside a @Public() controller', async () => {
    await http().get('/open/page').expect(200, { open: true });
    await http().get('/open/admin').expect(401);
    await http().get('/open/sudo').expect(401);
    const user = await login('open-user');
    await http().get('/open/admin').set('Cookie', user).expect(403);
    await http().get('/open/sudo').set('Cookie', user).expect(403);
    const admin = await login('open-admin', CHROME_WINDOWS, ['admin']);
    await http().get('/open/admin').set('Cookie', admin).expect(200, { admin: true });
  });

  it('lists devices newest first with parsed user agents, marks the current one, and revokes one', async () => {
    const desktop = await login('device-user', CHROME_WINDOWS);
    const phone = await login('device-user', SAFARI_IPHONE);
    const list = await http().get('/devices').set('Cookie', phone).expect(200);
    expect(list.body).toHaveLength(2);
    expect(list.body[0]).toMatchObject({
      current: true,
      device: { browser: 'Safari 17', os: 'iOS 17.5', type: 'mobile' },
    });
    expect(list.body[1]).toMatchObject({
      current: false,
      device: { browser: 'Chrome 131', os: 'Windows 10', type: 'desktop' },
    });
    expect(list.body[1].userAgent).toBe(CHROME_WINDOWS);

    await http()
      .delete(`/devices/${list.body[1].id as string}`)
      .set('Cookie', phone)
      .expect(204);
    await http().get('/me').set('Cookie', desktop).expect(401);
    await http()
      .delete(`/devices/${list.body[1].id as string}`)
      .set('Cookie', phone)
      .expect(404);
  });

  it('signs out the least recently used device beyond maxSessionsPerUser', async () => {
    const first = await login('busy-user');
    const second = await login('busy-user');
    const third = await login('busy-user');
    await http().get('/me').set('Cookie', first).expect(200); // first is now recent, second is the LRU... unless touch is throttled
    const fourth = await login('busy-user');
    const alive = await Promise.all(
      [first, second, third, fourth].map(
        async (c) => (await http().get('/me').set('Cookie', c)).status,
      ),
    );
    expect(alive.filter((s) => s === 200)).toHaveLength(3);
    expect(alive[3]).toBe(200);
    expect(events.some((e) => e.name === 'revoked' && e.reason === 'session-limit')).toBe(true);
  });

  it('makes a roles change by someone else visible on the next request, which rotates the token', async () => {
    const a = await login('promoted', CHROME_WINDOWS, ['user']);
    const b = await login('promoted', SAFARI_IPHONE, ['user']);
    expect(
      await app.get(SessionService).updateUser('promoted', { roles: ['user', 'auditor'] }),
    ).toBe(2);
    for (const cookie of [a, b]) {
      const res = await http().get('/me').set('Cookie', cookie).expect(200);
      expect(res.body.roles).toEqual(['user', 'auditor']);
      const rotated = tokenOf(res);
      expect(rotated).toBeDefined();
      expect(rotated).not.toBe(cookie);
      // The old cookie only forwards, briefly, for requests the browser already sent with it.
      const forwarded = await http().get('/me').set('Cookie', cookie).expect(200);
      expect(tokenOf(forwarded)).toBeUndefined();
      const again = await http().get('/me').set('Cookie', rotated!).expect(200);
      expect(tokenOf(again)).toBeUndefined(); // rotated once, not on every request
    }
  });

  it('keeps the session for requests a browser sent together right after a roles change', async () => {
    const cookie = await login('page-loader', CHROME_WINDOWS, ['user']);
    await app.get(SessionService).updateUser('page-loader', { roles: ['user', 'editor'] });
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => http().get('/me').set('Cookie', cookie)),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const res of responses) expect(res.body.roles).toEqual(['user', 'editor']);
    const setCookies = responses.flatMap(
      (r) => (r.headers['set-cookie'] as unknown as string[] | undefined) ?? [],
    );
    expect(setCookies.filter((line) => line.startsWith('sid=;'))).toEqual([]);
    expect(setCookies).toHaveLength(1);
    const fresh = setCookies[0]!.split(';')[0]!;
    // The old token is only a short forward now, and the new one is the session.
    await http().get('/me').set('Cookie', cookie).expect(200);
    const again = await http().get('/me').set('Cookie', fresh).expect(200);
    expect(again.body.id).toBe(responses[0]!.body.id);
    expect(tokenOf(again)).toBeUndefined();
  });

  it('after a password change: new token here, every other device signed out', async () => {
    const here = await login('changer');
    const there = await login('changer', SAFARI_IPHONE);
    const res = await http().post('/password-changed').set('Cookie', here).expect(204);
    const fresh = tokenOf(res)!;
    expect(fresh).not.toBe(here);
    await http().get('/me').set('Cookie', here).expect(401);
    await http().get('/me').set('Cookie', there).expect(401);
    await http().get('/me').set('Cookie', fresh).expect(200);
  });

  it('emits expired-on-read when an idle session is used, and logged-out on logout', async () => {
    const token = await login('idle-user');
    const me = await http().get('/me').set('Cookie', token).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // idle timeout is 2 s
    await http().get('/me').set('Cookie', token).expect(401);
    expect(events).toContainEqual({
      name: 'expired-on-read',
      sessionId: me.body.id as string,
      reason: undefined,
    });

    const other = await login('leaving-user');
    const who = await http().get('/me').set('Cookie', other).expect(200);
    await http().post('/logout').set('Cookie', other).expect(204);
    expect(events).toContainEqual({
      name: 'logged-out',
      sessionId: who.body.id as string,
      reason: undefined,
    });
    expect(events.filter((e) => e.name === 'created').length).toBeGreaterThan(5);
    expect(events.some((e) => e.name === 'rotated' && e.reason === 'elevation')).toBe(true);
    expect(events.some((e) => e.name === 'rotated' && e.reason === 'user-changed')).toBe(true);
  });

  it('reports every lookup with its outcome and duration (a metrics hook)', async () => {
    const lookups: Array<{ outcome: string; durationMs: number }> = [];
    const off = app.get(SessionEvents).on('lookup', (e) => lookups.push(e));
    try {
      const token = await login('measured');
      await http().get('/me').set('Cookie', token).expect(200);
      await http().get('/me').set('Cookie', 'sid=garbage').expect(401);
      await http()
        .get('/me')
        .set('Cookie', `sid=${'B'.repeat(43)}`)
        .expect(401);
      expect(lookups.map((l) => l.outcome)).toEqual(['no-cookie', 'found', 'malformed', 'missing']);
      for (const l of lookups) expect(l.durationMs).toBeGreaterThanOrEqual(0);
    } finally {
      off();
    }
  });
});
