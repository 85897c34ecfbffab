import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SessionEvents, type SessionEventMap } from 'nest-redis-session';
import request from 'supertest';
import { pollUntil } from '../../../../test/support/poll-until.js';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server.js';
import { sessionCookieOf } from './session-cookie-of.js';
import { createFixtureApp, registerSync } from './fixture-app.js';

/**
 * The library README's "Events follow confirmed writes": with replica acknowledgement on, an
 * operation whose WAIT falls short answers 503 and emits no event, although the primary applied
 * it. The replica is up while the sessions are created, then stopped.
 */
describe('events of writes the replicas did not confirm', () => {
  let primary: RedisServerHandle;
  let replica: RedisServerHandle;
  let app: INestApplication;
  const events: Array<{ name: keyof SessionEventMap; sessionId?: string }> = [];
  const http = () => request(app.getHttpServer());
  const cookies = new Map<string, string>();
  const ids = new Map<string, string>();
  const cookieOf = (device: string) => cookies.get(device)!;

  async function login(userId: string, device: string): Promise<void> {
    const res = await http().post('/login').send({ userId }).expect(200);
    cookies.set(device, `sid=${sessionCookieOf(res)!}`);
    ids.set(device, (res.body as { id: string }).id);
  }

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer({
      extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
    });
    const onPrimary = new Redis(primary.url);
    const replicasUp = async (count: number) =>
      (await onPrimary.info('replication')).includes(`connected_slaves:${count}`);
    await pollUntil(() => replicasUp(1), { deadlineMs: 10_000 });
    app = await createFixtureApp(registerSync, {
      redis: { url: primary.url },
      cookie: { secure: false },
      maxSessionsPerUser: 2,
      // Generous for a loaded machine while the replica is up; once it is gone, each WAIT
      // waits this long and answers 0.
      replicaAcknowledgement: { replicas: 1, timeoutMs: 2000 },
      commandTimeoutMs: 4000,
    });
    const bus = app.get(SessionEvents);
    for (const name of ['created', 'revoked', 'logged-out', 'store-unavailable'] as const) {
      bus.on(name, (event) =>
        events.push({ name, sessionId: 'sessionId' in event ? event.sessionId : undefined }),
      );
    }
    await login('reviewer', 'reviewerA');
    await login('reviewer', 'reviewerB');
    await login('limited', 'limitedOld');
    await login('limited', 'limitedNew');
    expect(events.filter((event) => event.name === 'created')).toHaveLength(4);

    await replica.stop();
    await pollUntil(() => replicasUp(0), { deadlineMs: 10_000 });
    await onPrimary.quit();
    events.length = 0;
  });
  afterAll(async () => {
    await app?.close();
    await replica?.stop();
    await primary?.stop();
  });

  it('a revocation: 503, no revoked event, and the session is gone on the primary', async () => {
    await http()
      .delete(`/devices/${ids.get('reviewerB')!}`)
      .set('Cookie', cookieOf('reviewerA'))
      .expect(503)
      .expect('Retry-After', /^\d+$/);

    expect(events.map((event) => event.name)).toEqual(['store-unavailable']);
    await http().get('/me').set('Cookie', cookieOf('reviewerB')).expect(401);
    await http().get('/me').set('Cookie', cookieOf('reviewerA')).expect(200);
  });

  it('a login at the session limit: 503, no cookie, no event for the session it evicted', async () => {
    events.length = 0;
    const res = await http().post('/login').send({ userId: 'limited' }).expect(503);

    expect(sessionCookieOf(res)).toBeUndefined();
    expect(events.map((event) => event.name)).toEqual(['store-unavailable']);
    // The primary evicted the least recently used session before WAIT fell short.
    await http().get('/me').set('Cookie', cookieOf('limitedOld')).expect(401);
    await http().get('/me').set('Cookie', cookieOf('limitedNew')).expect(200);
  });
});
