import { Redis } from 'ioredis';
import {
  RedisSessionStore,
  SessionStoreUnavailableError,
  failFastRedisOptions,
  type SessionSocketWrites,
} from 'nest-redis-session';
import { startRedisServer, type RedisServerHandle } from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  shardOfUser,
  type SessionAddress,
} from '../src/token/session-token.js';

/*
 * socketWrites: 'coalesced' (the default) sends the store's commands of one event-loop turn in
 * one socket write. This file runs its own redis-server, so that Redis's count of socket reads
 * (INFO stats total_reads_processed) sees only this file's traffic.
 */
const MINUTE = 60_000;
const clock = () => ({ nowMs: Date.now(), idleTimeoutMs: 30 * MINUTE, touchIntervalMs: MINUTE });

describe('socket writes of the Redis store', () => {
  let server: RedisServerHandle;
  const clients: Redis[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server.stop();
  });

  async function storeWith(socketWrites?: SessionSocketWrites) {
    const client = new Redis(server.url, { ...failFastRedisOptions(1000), lazyConnect: true });
    clients.push(client);
    await client.connect();
    const store = new RedisSessionStore(
      client,
      uniquePrefix('writes'),
      socketWrites ? { socketWrites } : {},
    );
    return { client, store, socket: client.stream };
  }

  async function createSessions(store: RedisSessionStore, count: number) {
    const sessions: Array<{ address: SessionAddress; userId: string }> = [];
    for (let i = 0; i < count; i++) {
      const userId = `writes-user-${i}`;
      const address = addressOfToken(generateSessionToken(shardOfUser(userId)));
      const now = Date.now();
      await store.create(
        address,
        {
          publicId: generatePublicSessionId(),
          userId,
          createdAt: now,
          lastSeenAt: now,
          absoluteExpiresAt: now + 60 * MINUTE,
          roles: ['user'],
          elevatedUntil: null,
          device: null,
          rotationDue: false,
          data: { n: String(i) },
        },
        { ttlMs: 30 * MINUTE, clock: { nowMs: now, idleTimeoutMs: 30 * MINUTE } },
      );
      sessions.push({ address, userId });
    }
    return sessions;
  }

  async function socketReadsOfRedis(admin: Redis): Promise<number> {
    const stats = await admin.info('stats');
    return Number(/total_reads_processed:(\d+)/.exec(stats)?.[1]);
  }

  it('coalesced by default: five reads of one turn reach Redis in one socket read, each with its own session', async () => {
    const { client, store, socket } = await storeWith();
    const sessions = await createSessions(store, 5);
    const admin = new Redis(server.url);
    clients.push(admin);
    await admin.ping();
    // The first read of a fresh server is an EVALSHA answered NOSCRIPT, then an EVAL: not here.
    await store.read(sessions[0]!.address, clock());

    const before = await socketReadsOfRedis(admin);
    const reads = sessions.map(({ address }) => store.read(address, clock()));
    const corkedDuringTheTurn = socket.writableCorked;
    const results = await Promise.all(reads);
    // The admin's own INFO is one more read.
    const readsOfRedis = (await socketReadsOfRedis(admin)) - before - 1;

    expect(corkedDuringTheTurn).toBe(1);
    expect(socket.writableCorked).toBe(0);
    expect(readsOfRedis).toBe(1);
    expect(
      results.map((result) => (result.status === 'found' ? result.session.userId : result.status)),
    ).toEqual(sessions.map(({ userId }) => userId));
    expect(client.status).toBe('ready');
  });

  it('closes a batch at 32 commands, so that Redis starts on it while the rest are sent', async () => {
    const { store, socket } = await storeWith('coalesced');
    const sessions = await createSessions(store, 70);
    const uncork = vi.spyOn(socket, 'uncork');

    const results = await Promise.all(sessions.map(({ address }) => store.read(address, clock())));

    // After the 32nd and the 64th command, and the rest at the end of the turn.
    expect(uncork).toHaveBeenCalledTimes(3);
    expect(results.every((result) => result.status === 'found')).toBe(true);
    uncork.mockRestore();
  });

  it('immediate: every command is written at once', async () => {
    const { store, socket } = await storeWith('immediate');
    const sessions = await createSessions(store, 3);

    const reads = sessions.map(({ address }) => store.read(address, clock()));
    const corkedDuringTheTurn = socket.writableCorked;
    const results = await Promise.all(reads);

    expect(corkedDuringTheTurn).toBe(0);
    expect(results.map((result) => result.status)).toEqual(['found', 'found', 'found']);
  });

  it('fails the held reads as unavailable, and soon, when Redis dies before the turn ends', async () => {
    const doomed = await startRedisServer();
    const client = new Redis(doomed.url, { ...failFastRedisOptions(1000), lazyConnect: true });
    clients.push(client);
    // Its reconnect attempts to the dead server are expected; nothing to report.
    client.on('error', () => {});
    await client.connect();
    const store = new RedisSessionStore(client, uniquePrefix('writes-dead'));
    const sessions = await createSessions(store, 3);

    const started = Date.now();
    const reads = sessions.map(({ address }) => store.read(address, clock()));
    // Still within the turn that holds them: the writes leave into a dying server.
    doomed.kill('SIGKILL');
    const outcomes = await Promise.allSettled(reads);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(
        SessionStoreUnavailableError,
      );
    }
    expect(Date.now() - started).toBeLessThan(1500);
    await doomed.waitForExit();
    await doomed.stop();
  });
});
