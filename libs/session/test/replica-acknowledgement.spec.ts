import { Redis } from 'ioredis';
import { SessionStoreUnavailableError, RedisSessionStore } from 'nest-redis-session';
import { startRedisServer, type RedisServerHandle } from '../../../test/support/redis-server.js';
import { pollUntil } from '../../../test/support/poll-until.js';
import {
  generatePublicSessionId,
  generateSessionToken,
  addressOfToken,
  shardOfUser,
} from '../src/token/session-token.js';

/** A primary with one replica: WAIT 1 succeeds only while the replica is running. */
describe('replica acknowledgement (WAIT) on logins, revocations and roles changes', () => {
  let primary: RedisServerHandle;
  let replica: RedisServerHandle;
  let client: Redis;
  let store: RedisSessionStore;

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer({
      extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
    });
    const replicaClient = new Redis(replica.url);
    await pollUntil(
      async () => /master_link_status:up/.test(await replicaClient.info('replication')),
      {
        deadlineMs: 10_000,
      },
    );
    await replicaClient.quit();
    client = new Redis(primary.url, { commandTimeout: 4000, maxRetriesPerRequest: 1 });
    store = new RedisSessionStore(client, 'wait:', {
      // Generous, for a loaded 2-core machine (a 700 ms WAIT timed out at load average 9); the
      // unacknowledged case waits this long.
      replicaAcknowledgement: { replicas: 1, timeoutMs: 2000 },
    });
  });
  afterAll(async () => {
    await client?.quit();
    await replica?.stop();
    await primary?.stop();
  });

  function login(userId: string) {
    const token = generateSessionToken(shardOfUser(userId));
    const now = Date.now();
    return {
      address: addressOfToken(token),
      session: {
        publicId: generatePublicSessionId(),
        userId,
        createdAt: now,
        lastSeenAt: now,
        absoluteExpiresAt: now + 3_600_000,
        roles: ['user'],
        elevatedUntil: null,
        device: null,
        rotationDue: false,
        data: {},
      },
      options: { ttlMs: 600_000, clock: { nowMs: now, idleTimeoutMs: 600_000 } },
    };
  }

  it('reports a login and a revocation done once the replica acknowledged them', async () => {
    const { address, session, options } = login('acked');
    await expect(store.create(address, session, options)).resolves.toMatchObject({
      status: 'created',
    });
    expect(await store.revoke('acked', session.publicId)).toBe(true);
  });

  it('runs a durable write with WAIT on a primary that no longer knows the script (EVAL, once)', async () => {
    // As after a restart or a failover: the script cache is empty, the pipelined EVALSHA gets
    // NOSCRIPT, and the write is retried as EVAL + WAIT rather than reported as failed.
    await client.script('FLUSH');
    await client.config('RESETSTAT');
    const first = login('after-flush');
    await expect(store.create(first.address, first.session, first.options)).resolves.toMatchObject({
      status: 'created',
    });
    const second = login('after-flush');
    await expect(
      store.create(second.address, second.session, second.options),
    ).resolves.toMatchObject({ status: 'created' });

    // This primary serves this file alone: every call counted here is the store's.
    const stats = await client.info('commandstats');
    const calls = (name: string) =>
      Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect(calls('eval')).toBe(1);
    expect(calls('evalsha')).toBe(2); // the one answered NOSCRIPT, and the second login's
    // A pipeline is no transaction: the WAIT queued behind the refused EVALSHA ran as well.
    expect(calls('wait')).toBe(3);
    expect(
      (await store.list('after-flush', first.options.clock)).map((s) => s.publicId).sort(),
    ).toEqual([first.session.publicId, second.session.publicId].sort());
  });

  it('answers SessionStoreUnavailableError, not success, while the replica does not acknowledge', async () => {
    replica.kill('SIGSTOP');
    try {
      const { address, session, options } = login('unacked');
      const started = Date.now();
      await expect(store.create(address, session, options)).rejects.toBeInstanceOf(
        SessionStoreUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(3500);
      // Its cookie never went out: the primary must not keep it (it would count toward the
      // user's session limit).
      expect(await client.exists(`wait:{${address.shard}}:s:${address.digest}`)).toBe(0);
      expect(await store.list('unacked', options.clock)).toEqual([]);
      await expect(store.revokeAll('unacked')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      // A roles change is how an admin is demoted: a failover must not be able to undo it
      // after it was reported done.
      await expect(store.updateUser('unacked', { roles: [] })).rejects.toBeInstanceOf(
        SessionStoreUnavailableError,
      );
    } finally {
      replica.kill('SIGCONT');
    }
  });

  it('does not wait for reads and data saves', async () => {
    const before = Number(
      /cmdstat_wait:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0,
    );
    const { address, session, options } = login('reader');
    await store.create(address, session, options);
    await store.read(address, {
      nowMs: Date.now(),
      idleTimeoutMs: 600_000,
      touchIntervalMs: 60_000,
    });
    await store.save(address, { set: { a: '1' }, unset: [] });
    const after = Number(
      /cmdstat_wait:calls=(\d+)/.exec(await client.info('commandstats'))?.[1] ?? 0,
    );
    expect(after - before).toBe(1); // the login only
  });
});
