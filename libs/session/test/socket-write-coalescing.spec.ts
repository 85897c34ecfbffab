import type { Socket } from 'node:net';
// Resolves after the current turn's setImmediate callbacks, before Node reads any reply.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  RedisSessionStore,
  SessionStoreUnavailableError,
  failFastRedisOptions,
  type SessionReadResult,
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
 * one socket write, once the store has replies outstanding; the tests count the socket's writes
 * to the kernel. This file runs its own redis-server, which one test kills.
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

  /** A store on a warm connection, with `count` sessions in it. */
  async function warmStore(count: number, socketWrites?: SessionSocketWrites) {
    const fixture = await storeWith(socketWrites);
    const sessions = await createSessions(fixture.store, count);
    // The first read of a fresh server is an EVALSHA answered NOSCRIPT, then an EVAL: not here.
    await fixture.store.read(sessions[0]!.address, clock());
    return { ...fixture, sessions };
  }

  /** Counts the socket's writes to the kernel: one per `_write`, or per `_writev` of a batch. */
  function countKernelWrites(socket: Socket): { count: () => number; restore: () => void } {
    const writable = socket as unknown as Record<'_write' | '_writev', (...args: never[]) => void>;
    const spies = [vi.spyOn(writable, '_write'), vi.spyOn(writable, '_writev')];
    return {
      count: () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0),
      restore: () => spies.forEach((spy) => spy.mockRestore()),
    };
  }

  const userIdsOf = (results: SessionReadResult[]) =>
    results.map((result) => (result.status === 'found' ? result.session.userId : result.status));

  it('coalesced by default: while reads await their replies, a turn of reads leaves in one socket write', async () => {
    const { client, store, socket, sessions } = await warmStore(5);
    const earlier = sessions.map(({ address }) => store.read(address, clock()));
    await nextTurn();

    const writes = countKernelWrites(socket);
    const first = store.read(sessions[0]!.address, clock());
    const corkedFromTheFirst = socket.writableCorked;
    const reads = [first, ...sessions.slice(1).map(({ address }) => store.read(address, clock()))];
    const corkedDuringTheTurn = socket.writableCorked;
    const results = await Promise.all(reads);
    await Promise.all(earlier);

    expect([corkedFromTheFirst, corkedDuringTheTurn, socket.writableCorked]).toEqual([1, 1, 0]);
    expect(writes.count()).toBe(1);
    expect(userIdsOf(results)).toEqual(sessions.map(({ userId }) => userId));
    expect(client.status).toBe('ready');
    writes.restore();
  });

  it('writes a read at once when no other awaits its reply, and gathers the rest of its turn', async () => {
    const { store, socket, sessions } = await warmStore(5);
    const writes = countKernelWrites(socket);

    const first = store.read(sessions[0]!.address, clock());
    const afterTheFirst = { corked: socket.writableCorked, writes: writes.count() };
    const reads = [first, ...sessions.slice(1).map(({ address }) => store.read(address, clock()))];
    const corkedDuringTheTurn = socket.writableCorked;
    const results = await Promise.all(reads);

    expect(afterTheFirst).toEqual({ corked: 0, writes: 1 });
    expect(corkedDuringTheTurn).toBe(1);
    expect(writes.count()).toBe(2);
    expect(userIdsOf(results)).toEqual(sessions.map(({ userId }) => userId));
    writes.restore();
  });

  it('never holds the reads of an app serving one request at a time', async () => {
    const { store, socket, sessions } = await warmStore(3);
    const writes = countKernelWrites(socket);
    for (const { address, userId } of sessions) {
      const read = store.read(address, clock());
      expect(socket.writableCorked).toBe(0);
      expect(userIdsOf([await read])).toEqual([userId]);
    }
    expect(writes.count()).toBe(3);
    writes.restore();
  });

  it('closes a batch at 32 commands, so that Redis starts on it while the rest are sent', async () => {
    const { store, socket, sessions } = await warmStore(70, 'coalesced');
    const earlier = store.read(sessions[0]!.address, clock());
    await nextTurn();
    const writes = countKernelWrites(socket);

    const results = await Promise.all(sessions.map(({ address }) => store.read(address, clock())));
    await earlier;

    // After the 32nd and the 64th command, and the rest at the end of the turn.
    expect(writes.count()).toBe(3);
    expect(results.every((result) => result.status === 'found')).toBe(true);
    writes.restore();
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
