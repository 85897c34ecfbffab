import calculateSlot from 'cluster-key-slot';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { inject } from 'vitest';
import { pollUntil } from '../../../test/support/poll-until.js';
import { clientAddress, startRedisMonitor } from '../../../test/support/redis-monitor.js';
import { SessionKeys } from '../src/redis/redis-keys.js';
import type {
  SessionLimit,
  StoredSession,
  StoredSessionSummary,
} from '../src/store/stored-session.js';
import { shardOfUser, type SessionAddress } from '../src/token/session-token.js';
import { createStoreFixture } from './store-fixture.js';

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const ABSOLUTE = 7 * 24 * 60 * MINUTE;
const listClock = (nowMs: number) => ({ nowMs, idleTimeoutMs: IDLE });
const readClock = (nowMs: number) => ({ nowMs, idleTimeoutMs: IDLE, touchIntervalMs: MINUTE });
const LRU_3: SessionLimit = { maxSessions: 3, policy: 'evict-least-recently-used' };
const REFUSE_3: SessionLimit = { maxSessions: 3, policy: 'refuse' };

/** A fresh user id per test: tests of this file share one key prefix. */
const newUser = (label: string) => `${label}-${randomUUID()}`;

const byId = (a: { publicId: string }, b: { publicId: string }) =>
  a.publicId < b.publicId ? -1 : a.publicId > b.publicId ? 1 : 0;

function summaryOf(session: StoredSession): StoredSessionSummary {
  return {
    publicId: session.publicId,
    createdAt: session.createdAt,
    lastSeenAt: session.lastSeenAt,
    absoluteExpiresAt: session.absoluteExpiresAt,
    elevatedUntil: session.elevatedUntil,
    device: session.device,
  };
}

/** `calls` of one command since the server started, from `INFO commandstats` (0 if never run). */
async function commandCalls(client: Redis): Promise<Record<'scan' | 'keys', number>> {
  const info = await client.info('commandstats');
  const calls = (name: string) =>
    Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { scan: calls('scan'), keys: calls('keys') };
}

describe('per-user session index of RedisSessionStore on a real redis-server', () => {
  const fixture = createStoreFixture('user-sessions');
  const { store, client, prefix, newAddress, storedSession, createOptions } = fixture;
  const keys = new SessionKeys(prefix);
  afterAll(() => fixture.close());

  const indexKey = (userId: string) => keys.userIndex(shardOfUser(userId), userId);
  const sessionKey = (address: SessionAddress) => keys.session(address);

  interface LoginOptions {
    readonly nowMs?: number;
    readonly ttlMs?: number;
    readonly absoluteMs?: number;
    readonly limit?: SessionLimit;
    readonly expectedGeneration?: string;
    readonly overrides?: Partial<StoredSession>;
  }

  /** Creates a session of `userId` (null: anonymous) and returns where it lives and what it holds. */
  async function login(userId: string | null, options: LoginOptions = {}) {
    const nowMs = options.nowMs ?? Date.now();
    const { address } = newAddress(userId);
    const session: StoredSession = {
      ...storedSession(userId, nowMs, options.absoluteMs ?? ABSOLUTE),
      ...options.overrides,
    };
    const result = await store.create(address, session, {
      ...createOptions(options.ttlMs ?? IDLE, nowMs),
      ...(options.limit && { limit: options.limit }),
      ...(options.expectedGeneration !== undefined && {
        expectedGeneration: options.expectedGeneration,
      }),
    });
    return { address, session, result };
  }

  async function listedIds(userId: string, nowMs: number): Promise<string[]> {
    return (await store.list(userId, listClock(nowMs))).map((s) => s.publicId).sort();
  }

  async function indexedIds(userId: string): Promise<string[]> {
    return Object.keys(await client.hgetall(indexKey(userId)))
      .filter((field) => field !== '#g')
      .sort();
  }

  const sorted = (ids: readonly string[]) => [...ids].sort();

  describe('list', () => {
    it("lists exactly the user's live sessions with device and elevation, never another user's", async () => {
      const now = Date.now();
      const alice = newUser('alice');
      const bob = newUser('bob');
      const phone = await login(alice, {
        nowMs: now - 10 * MINUTE,
        overrides: { device: { ip: '10.0.0.1', userAgent: 'Phone/1.0' } },
      });
      const laptop = await login(alice, {
        nowMs: now - 5 * MINUTE,
        overrides: {
          device: { ip: '2001:db8::7', userAgent: 'Laptop/2.0' },
          elevatedUntil: now + 5 * MINUTE,
        },
      });
      const headless = await login(alice, { nowMs: now, overrides: { device: null } });
      const bobs = await login(bob, { nowMs: now });
      await login(null, { nowMs: now });

      // A touch shows up as the new last-seen time.
      const touched = await store.read(phone.address, readClock(now + MINUTE));
      expect(touched.status).toBe('found');

      const listed = await store.list(alice, listClock(now + MINUTE));
      expect(listed.sort(byId)).toEqual(
        [
          { ...summaryOf(phone.session), lastSeenAt: now + MINUTE },
          summaryOf(laptop.session),
          summaryOf(headless.session),
        ].sort(byId),
      );
      expect(listed.map((s) => s.publicId)).not.toContain(bobs.session.publicId);
      expect(await store.list(bob, listClock(now))).toEqual([summaryOf(bobs.session)]);
      expect(await store.list(newUser('nobody'), listClock(now))).toEqual([]);
    });

    it('drops a session idle by the clock from the listing, the index and Redis', async () => {
      const t0 = Date.now();
      const alice = newUser('alice');
      const idle = await login(alice, { nowMs: t0 });
      const recent = await login(alice, { nowMs: t0 + 20 * MINUTE });

      // One millisecond before the idle deadline it is still there.
      expect(await listedIds(alice, t0 + IDLE - 1)).toEqual(
        sorted([idle.session.publicId, recent.session.publicId]),
      );
      expect(await listedIds(alice, t0 + IDLE)).toEqual([recent.session.publicId]);
      expect(await indexedIds(alice)).toEqual([recent.session.publicId]);
      expect(await client.exists(sessionKey(idle.address))).toBe(0);
    });

    it('drops a session past its absolute deadline however recently it was seen', async () => {
      const t0 = Date.now();
      const alice = newUser('alice');
      const short = await login(alice, { nowMs: t0, absoluteMs: 5 * MINUTE });
      const other = await login(alice, { nowMs: t0 });
      expect((await store.read(short.address, readClock(t0 + 4 * MINUTE))).status).toBe('found');

      expect(await listedIds(alice, t0 + 5 * MINUTE)).toEqual([other.session.publicId]);
      expect(await indexedIds(alice)).toEqual([other.session.publicId]);
      expect(await client.exists(sessionKey(short.address))).toBe(0);
    });

    it('drops a session Redis expired by TTL: the entry lingers until the next list, no cron', async () => {
      const alice = newUser('alice');
      const dropped = await login(alice, { ttlMs: 1000 });
      const kept = await login(alice);

      await pollUntil(async () => (await client.exists(sessionKey(dropped.address))) === 0, {
        deadlineMs: 5000,
      });
      expect(await client.hexists(indexKey(alice), dropped.session.publicId)).toBe(1);

      // The session's own timestamps say "alive": only the missing key can hide it.
      expect(await listedIds(alice, Date.now())).toEqual([kept.session.publicId]);
      expect(await indexedIds(alice)).toEqual([kept.session.publicId]);
    });

    it('lets a read that finds a session expired delete it, and the next list drop its entry', async () => {
      const t0 = Date.now();
      const alice = newUser('alice');
      const stale = await login(alice, { nowMs: t0 });
      expect(await store.read(stale.address, readClock(t0 + IDLE))).toEqual({
        status: 'expired',
        sessionId: stale.session.publicId,
        userId: alice,
      });
      expect(await listedIds(alice, t0 + IDLE)).toEqual([]);
      expect(await indexedIds(alice)).toEqual([]);
    });

    it('gives the index a TTL covering the longest session, and one after a revoke-all', async () => {
      const alice = newUser('alice');
      await login(alice, { absoluteMs: 2 * 60 * MINUTE });
      const pttl = await client.pttl(indexKey(alice));
      expect(pttl).toBeGreaterThan(2 * 60 * MINUTE - MINUTE);

      const carol = newUser('carol');
      await store.revokeAll(carol);
      expect(await client.hget(indexKey(carol), '#g')).toBe('1');
      expect(await client.pttl(indexKey(carol))).toBeGreaterThan(0);
    });
  });

  describe('create keeps the index clean', () => {
    it('removes entries of sessions dead by clock or by TTL while indexing a new one', async () => {
      const t0 = Date.now();
      const alice = newUser('alice');
      // Created in clock order, each still alive at the clock of the creates that follow it.
      const byIdle = await login(alice, { nowMs: t0 - 40 * MINUTE }); // idle from t0 - 10 min
      const byAbsolute = await login(alice, { nowMs: t0 - 12 * MINUTE, absoluteMs: 13 * MINUTE });
      const alive = await login(alice, { nowMs: t0 - 11 * MINUTE });
      // Its timestamps say "alive" at t0 + 1 min: only the dropped key makes it dead.
      const byTtl = await login(alice, { nowMs: t0 - 11 * MINUTE, ttlMs: 1000 });
      await pollUntil(async () => (await client.exists(sessionKey(byTtl.address))) === 0, {
        deadlineMs: 5000,
      });
      expect(await indexedIds(alice)).toEqual(
        sorted([byTtl, byIdle, byAbsolute, alive].map((s) => s.session.publicId)),
      );

      const fresh = await login(alice, { nowMs: t0 + MINUTE });
      expect(fresh.result).toEqual({ status: 'created', evicted: [] });
      expect(await indexedIds(alice)).toEqual(
        sorted([alive.session.publicId, fresh.session.publicId]),
      );
      for (const dead of [byIdle, byAbsolute]) {
        expect(await client.exists(sessionKey(dead.address))).toBe(0);
      }
    });
  });

  describe('revoke', () => {
    it('revokes one session: key and index entry gone, the sibling untouched', async () => {
      const alice = newUser('alice');
      const target = await login(alice);
      const sibling = await login(alice);
      expect(await store.revoke(alice, target.session.publicId)).toBe(true);
      expect(await client.exists(sessionKey(target.address))).toBe(0);
      expect(await indexedIds(alice)).toEqual([sibling.session.publicId]);
      expect(await store.read(target.address, readClock(Date.now()))).toEqual({
        status: 'missing',
      });
      expect((await store.read(sibling.address, readClock(Date.now()))).status).toBe('found');
      expect(await store.revoke(alice, target.session.publicId)).toBe(false);
    });

    it("answers false for an unknown id and for another user's id, which lives on", async () => {
      const alice = newUser('alice');
      const bob = newUser('bob');
      await login(alice);
      const bobs = await login(bob);

      expect(await store.revoke(alice, 'no-such-session-id')).toBe(false);
      expect(await store.revoke(alice, bobs.session.publicId)).toBe(false);
      expect(await store.revoke(newUser('nobody'), bobs.session.publicId)).toBe(false);
      expect((await store.read(bobs.address, readClock(Date.now()))).status).toBe('found');
      expect(await indexedIds(bob)).toEqual([bobs.session.publicId]);
    });

    it('answers false for the generation field "#g" and leaves the generation alone', async () => {
      const alice = newUser('alice');
      const own = await login(alice);
      await store.revokeAll(alice, { except: own.session.publicId });
      expect(await store.generation(alice)).toBe('1');

      expect(await store.revoke(alice, '#g')).toBe(false);
      expect(await store.generation(alice)).toBe('1');
      expect(await indexedIds(alice)).toEqual([own.session.publicId]);
    });
  });

  describe('revokeAll', () => {
    it('revokes every session of the user, returns their ids, spares other users', async () => {
      const alice = newUser('alice');
      const bob = newUser('bob');
      const mine = [await login(alice), await login(alice), await login(alice)];
      const bobs = await login(bob);
      expect(await store.generation(alice)).toBe('0');

      const revoked = await store.revokeAll(alice);
      expect(sorted(revoked)).toEqual(sorted(mine.map((s) => s.session.publicId)));
      for (const { address } of mine) {
        expect(await client.exists(sessionKey(address))).toBe(0);
      }
      expect(await listedIds(alice, Date.now())).toEqual([]);
      expect(await indexedIds(alice)).toEqual([]);
      expect(await store.generation(alice)).toBe('1');
      expect((await store.read(bobs.address, readClock(Date.now()))).status).toBe('found');
      expect(await store.generation(bob)).toBe('0');

      expect(await store.revokeAll(alice)).toEqual([]);
      expect(await store.generation(alice)).toBe('2');
    });

    it('keeps the excepted session readable and listed, and still moves the generation', async () => {
      const alice = newUser('alice');
      const current = await login(alice);
      const others = [await login(alice), await login(alice)];

      const revoked = await store.revokeAll(alice, { except: current.session.publicId });
      expect(sorted(revoked)).toEqual(sorted(others.map((s) => s.session.publicId)));
      expect((await store.read(current.address, readClock(Date.now()))).status).toBe('found');
      expect(await listedIds(alice, Date.now())).toEqual([current.session.publicId]);
      expect(await store.generation(alice)).toBe('1');
      // The excepted session was created before the generation moved; it is not refused later.
      expect(await store.save(current.address, { set: { k: '1' }, unset: [] })).toBe(true);
    });

    it('does not report sessions Redis already dropped by TTL as revoked', async () => {
      const alice = newUser('alice');
      const gone = await login(alice, { ttlMs: 1000 });
      const live = await login(alice);
      await pollUntil(async () => (await client.exists(sessionKey(gone.address))) === 0, {
        deadlineMs: 5000,
      });
      expect(await store.revokeAll(alice)).toEqual([live.session.publicId]);
      expect(await indexedIds(alice)).toEqual([]);
    });
  });

  describe('generation', () => {
    it('refuses a login that read the generation before a revoke-all, and stores nothing', async () => {
      const alice = newUser('alice');
      const before = await store.generation(alice);
      expect(before).toBe('0');
      await store.revokeAll(alice);

      const late = await login(alice, { expectedGeneration: before });
      expect(late.result).toEqual({ status: 'revoked-meanwhile' });
      expect(await client.exists(sessionKey(late.address))).toBe(0);
      expect(await store.read(late.address, readClock(Date.now()))).toEqual({ status: 'missing' });
      expect(await listedIds(alice, Date.now())).toEqual([]);
      expect(await indexedIds(alice)).toEqual([]);

      const current = await store.generation(alice);
      expect(current).toBe('1');
      const retry = await login(alice, { expectedGeneration: current });
      expect(retry.result).toEqual({ status: 'created', evicted: [] });
      expect(await listedIds(alice, Date.now())).toEqual([retry.session.publicId]);
    });
  });

  describe('per-user limit', () => {
    it('evicts the least recently seen session for a fourth one under LRU', async () => {
      const t0 = Date.now();
      const alice = newUser('alice');
      const first = await login(alice, { nowMs: t0, limit: LRU_3 });
      const second = await login(alice, { nowMs: t0 + MINUTE, limit: LRU_3 });
      const third = await login(alice, { nowMs: t0 + 2 * MINUTE, limit: LRU_3 });
      // Touching the oldest makes the second one the least recently seen.
      const touched = await store.read(first.address, readClock(t0 + 3 * MINUTE));
      expect(touched.status === 'found' && touched.session.lastSeenAt).toBe(t0 + 3 * MINUTE);

      const fourth = await login(alice, { nowMs: t0 + 4 * MINUTE, limit: LRU_3 });
      expect(fourth.result).toEqual({ status: 'created', evicted: [second.session.publicId] });
      expect(await client.exists(sessionKey(second.address))).toBe(0);
      expect(await listedIds(alice, t0 + 4 * MINUTE)).toEqual(
        sorted([first, third, fourth].map((s) => s.session.publicId)),
      );
      expect(await indexedIds(alice)).toEqual(
        sorted([first, third, fourth].map((s) => s.session.publicId)),
      );
    });

    it('refuses a fourth session under "refuse" and stores nothing', async () => {
      const t0 = Date.now();
      const alice = newUser('alice');
      const three = [
        await login(alice, { nowMs: t0, limit: REFUSE_3 }),
        await login(alice, { nowMs: t0 + 1, limit: REFUSE_3 }),
        await login(alice, { nowMs: t0 + 2, limit: REFUSE_3 }),
      ];
      const fourth = await login(alice, { nowMs: t0 + 3, limit: REFUSE_3 });
      expect(fourth.result).toEqual({ status: 'limit-reached' });
      expect(await client.exists(sessionKey(fourth.address))).toBe(0);
      expect(await listedIds(alice, t0 + 3)).toEqual(sorted(three.map((s) => s.session.publicId)));
    });

    it.each([LRU_3, REFUSE_3])(
      'does not count dead sessions toward the limit ($policy)',
      async (limit) => {
        const t0 = Date.now();
        const alice = newUser('alice');
        // Idle from t0 + 5 ms on: alive at the clock (t0) of the two creates that follow.
        await login(alice, { nowMs: t0 - IDLE + 5, limit });
        const byTtl = await login(alice, { nowMs: t0, ttlMs: 1000, limit });
        const live = await login(alice, { nowMs: t0, limit });
        await pollUntil(async () => (await client.exists(sessionKey(byTtl.address))) === 0, {
          deadlineMs: 5000,
        });

        const next = await login(alice, { nowMs: t0 + 5, limit });
        expect(next.result).toEqual({ status: 'created', evicted: [] });
        const fourth = await login(alice, { nowMs: t0 + 6, limit });
        expect(fourth.result).toEqual({ status: 'created', evicted: [] });
        expect(await listedIds(alice, t0 + 6)).toEqual(
          sorted([live, next, fourth].map((s) => s.session.publicId)),
        );
      },
    );
  });

  describe('updateUser and rotation', () => {
    it('sets the roles on every live session of the user and marks each for rotation', async () => {
      const now = Date.now();
      const alice = newUser('alice');
      const bob = newUser('bob');
      const mine = [await login(alice, { nowMs: now }), await login(alice, { nowMs: now })];
      const bobs = await login(bob, { nowMs: now });

      expect(await store.updateUser(alice, { roles: ['user', 'admin'] })).toBe(2);
      for (const { address, session } of mine) {
        const read = await store.read(address, readClock(now));
        expect(read).toEqual({
          status: 'found',
          session: { ...session, roles: ['user', 'admin'], rotationDue: true },
        });
      }
      const untouched = await store.read(bobs.address, readClock(now));
      expect(untouched.status === 'found' && untouched.session).toMatchObject({
        roles: ['user'],
        rotationDue: false,
      });

      // Rotation clears the mark and keeps the new roles and the public id.
      const [first] = mine;
      const to = newAddress(alice).address;
      expect(await store.rotate(first!.address, to)).toBe(true);
      const rotated = await store.read(to, readClock(now));
      expect(rotated.status === 'found' && rotated.session).toMatchObject({
        publicId: first!.session.publicId,
        roles: ['user', 'admin'],
        rotationDue: false,
      });
      expect(await client.hget(indexKey(alice), first!.session.publicId)).toBe(to.digest);
    });

    it('sets elevatedUntil on rotation when asked, visible to read and list', async () => {
      const now = Date.now();
      const alice = newUser('alice');
      const { address, session } = await login(alice, { nowMs: now });
      const to = newAddress(alice).address;
      expect(await store.rotate(address, to, { elevatedUntil: now + 10 * MINUTE })).toBe(true);

      const read = await store.read(to, readClock(now));
      expect(read.status === 'found' && read.session.elevatedUntil).toBe(now + 10 * MINUTE);
      expect(await store.list(alice, listClock(now))).toEqual([
        { ...summaryOf(session), elevatedUntil: now + 10 * MINUTE },
      ]);
    });

    it('counts only sessions that still exist, dropping entries of the others', async () => {
      const alice = newUser('alice');
      const gone = await login(alice, { ttlMs: 1000 });
      await login(alice);
      await pollUntil(async () => (await client.exists(sessionKey(gone.address))) === 0, {
        deadlineMs: 5000,
      });
      expect(await store.updateUser(alice, { roles: [] })).toBe(1);
      expect(await indexedIds(alice)).toHaveLength(1);
      expect(await client.exists(sessionKey(gone.address))).toBe(0);
    });
  });

  describe('races', () => {
    it('never leaves alive a login in flight while a revoke-all runs (30 interleavings)', async () => {
      const alice = newUser('alice');
      for (let i = 0; i < 30; i++) {
        const generation = await store.generation(alice);
        const { address } = newAddress(alice);
        const session = storedSession(alice, Date.now(), ABSOLUTE);
        const [revoked, created] = await Promise.all([
          store.revokeAll(alice),
          store.create(address, session, {
            ...createOptions(IDLE),
            expectedGeneration: generation,
          }),
        ]);
        expect(['created', 'revoked-meanwhile']).toContain(created.status);
        // Created first, then revoked by the revoke-all: its id is among the revoked ones.
        expect(revoked.includes(session.publicId)).toBe(created.status === 'created');
        expect(await store.list(alice, listClock(Date.now()))).toEqual([]);
        expect(await store.read(address, readClock(Date.now()))).toEqual({ status: 'missing' });
      }
    });

    it('refuses the late save and rotation of a request whose session was revoked mid-flight', async () => {
      const now = Date.now();
      const alice = newUser('alice');
      const { address, session } = await login(alice, { nowMs: now });
      const inFlight = await store.read(address, readClock(now));
      expect(inFlight.status).toBe('found');

      expect(await store.revoke(alice, session.publicId)).toBe(true);
      expect(await store.save(address, { set: { cart: '[1]' }, unset: [] })).toBe(false);
      expect(await client.exists(sessionKey(address))).toBe(0);
      const to = newAddress(alice).address;
      expect(await store.rotate(address, to)).toBe(false);
      expect(await client.exists(sessionKey(to))).toBe(0);
      expect(await indexedIds(alice)).toEqual([]);
    });

    it('refuses the late save of a request whose session a revoke-all removed mid-flight', async () => {
      const now = Date.now();
      const alice = newUser('alice');
      const { address } = await login(alice, { nowMs: now });
      expect((await store.read(address, readClock(now))).status).toBe('found');
      await store.revokeAll(alice);
      expect(await store.save(address, { set: { cart: '[1]' }, unset: [] })).toBe(false);
      expect(await client.exists(sessionKey(address))).toBe(0);
    });
  });

  describe('cost', () => {
    it('lists, revokes and revokes all among 20 000 unrelated sessions without SCAN or KEYS', async () => {
      const now = Date.now();
      const users = Array.from({ length: 5 }, () => newUser('busy'));
      const noise: string[] = [];
      // Half of the unrelated sessions sit in the shards (hash tags) of the users measured below.
      for (let chunk = 0; chunk < 10; chunk++) {
        const pipeline = client.pipeline();
        for (let i = 0; i < 2000; i++) {
          const { address } = newAddress(i % 2 === 0 ? null : users[i % users.length]!);
          const key = sessionKey(address);
          noise.push(key);
          pipeline.hset(key, { p: `noise${chunk}-${i}`, c: now, l: 0, a: ABSOLUTE });
          pipeline.pexpire(key, 10 * MINUTE);
        }
        await pipeline.exec();
      }
      expect(await client.exists(noise[0]!, noise[noise.length - 1]!)).toBe(2);

      try {
        // The assertion is that some window is clean: if the store itself ran SCAN or KEYS, no
        // window would be. Retrying only forgives other test files running KEYS at the same time.
        let clean = false;
        for (let attempt = 0; attempt < users.length && !clean; attempt++) {
          const user = users[attempt]!;
          const ten: Array<Awaited<ReturnType<typeof login>>> = [];
          for (let i = 0; i < 10; i++) ten.push(await login(user, { nowMs: now }));
          const ids = ten.map((s) => s.session.publicId);

          const before = await commandCalls(client);
          const listed = await listedIds(user, now);
          const revokedOne = await store.revoke(user, ids[0]!);
          const revokedRest = await store.revokeAll(user);
          const after = await commandCalls(client);

          expect(listed).toEqual(sorted(ids));
          expect(revokedOne).toBe(true);
          expect(sorted(revokedRest)).toEqual(sorted(ids.slice(1)));
          clean = after.scan === before.scan && after.keys === before.keys;
        }
        expect(clean).toBe(true);
      } finally {
        for (let i = 0; i < noise.length; i += 5000)
          await client.unlink(...noise.slice(i, i + 5000));
      }
    });
  });

  describe('Redis Cluster slots', () => {
    interface ScriptRun {
      readonly declaredKeys: string[];
      readonly argv: string[];
      readonly luaCommands: string[][];
    }

    /**
     * Runs `exercise` under MONITOR and returns each script the store's connection ran, with the
     * commands the script itself issued (MONITOR shows them with source "lua", right after it).
     * A script is atomic, so nothing from another client comes between. Should a Redis version
     * list a script's commands before the EVALSHA, runs would come out empty and the count
     * check below fails: this cannot pass by accident.
     */
    async function scriptRunsOf(exercise: () => Promise<void>): Promise<ScriptRun[]> {
      const storeAddr = await clientAddress(client);
      const monitor = await startRedisMonitor(inject('redisUrl'));
      try {
        await exercise();
        await monitor.catchUp(client);
      } finally {
        monitor.stop();
      }

      const runs: ScriptRun[] = [];
      let current: ScriptRun | null = null;
      for (const { source, args } of monitor.commands) {
        const name = args[0]?.toLowerCase();
        if (source === 'lua') {
          current?.luaCommands.push(args);
          continue;
        }
        current = null;
        if (source === storeAddr && (name === 'evalsha' || name === 'eval')) {
          const keyCount = Number(args[2]);
          current = {
            declaredKeys: args.slice(3, 3 + keyCount),
            argv: args.slice(3 + keyCount),
            luaCommands: [],
          };
          runs.push(current);
        }
      }
      // An EVALSHA answered NOSCRIPT ran nothing; its EVAL retry is the run.
      return runs.filter((run) => run.luaCommands.length > 0);
    }

    /** The keys of a command as Redis itself finds them (scripts here only run key commands). */
    async function keysOf(command: string[]): Promise<string[]> {
      return ((await client.call('COMMAND', 'GETKEYS', ...command)) as unknown[]).map(String);
    }

    it('keeps every key each script declares, builds and touches in one slot, on every call path', async () => {
      // Braces and colons in a user id must not move its keys out of the shard's slot.
      const user = `slot:{user}:${randomUUID()}`;
      const other = `slot-other-${randomUUID()}`;
      const t0 = Date.now();
      let calls = 0;
      const call = async <T>(run: () => Promise<T>): Promise<T> => {
        calls++;
        return run();
      };

      const runs = await scriptRunsOf(async () => {
        const anon = newAddress(null).address;
        await call(() =>
          store.create(anon, storedSession(null, t0, ABSOLUTE), createOptions(IDLE, t0)),
        );
        await call(() => store.read(anon, readClock(t0 + 2 * MINUTE))); // with a touch
        await call(() => store.save(anon, { set: { a: '1' }, unset: ['b'] }));
        const anonTo = { ...newAddress(null).address, shard: anon.shard };
        await call(() => store.rotate(anon, anonTo));
        await call(() => store.take(anonTo));

        const sessions: SessionAddress[] = [];
        for (let i = 0; i < 3; i++) {
          const { address } = newAddress(user);
          sessions.push(address);
          await call(() =>
            store.create(address, storedSession(user, t0 + i, ABSOLUTE), {
              ...createOptions(IDLE, t0 + i),
              limit: LRU_3,
            }),
          );
        }
        const idle = newAddress(user).address;
        await call(() =>
          store.create(
            idle,
            storedSession(user, t0 - IDLE, ABSOLUTE),
            createOptions(IDLE, t0 - IDLE),
          ),
        );
        // Cleans the idle one out and evicts the least recently seen.
        const evicting = newAddress(user).address;
        sessions.push(evicting);
        await call(() =>
          store.create(evicting, storedSession(user, t0 + 10, ABSOLUTE), {
            ...createOptions(IDLE, t0 + 10),
            limit: LRU_3,
          }),
        );
        await call(() =>
          store.create(newAddress(user).address, storedSession(user, t0 + 11, ABSOLUTE), {
            ...createOptions(IDLE, t0 + 11),
            limit: REFUSE_3,
          }),
        );
        await call(() =>
          store.create(newAddress(user).address, storedSession(user, t0 + 12, ABSOLUTE), {
            ...createOptions(IDLE, t0 + 12),
            expectedGeneration: '41',
          }),
        );
        await call(() => store.read(sessions[1]!, readClock(t0 + IDLE + 1))); // expired
        await call(() => store.list(user, listClock(t0 + 20)));
        await call(() => store.updateUser(user, { roles: ['admin'] }));
        const rotatedTo = newAddress(user).address;
        await call(() => store.rotate(sessions[2]!, rotatedTo, { elevatedUntil: t0 + MINUTE }));
        await call(() => store.save(rotatedTo, { set: { x: '"y"' }, unset: [] }));
        const listed = await call(() => store.list(user, listClock(t0 + 30)));
        await call(() => store.revoke(user, listed[0]!.publicId));
        await store.revoke(user, '#g'); // the script answers before touching a key
        await call(() => store.revokeAll(user, { except: listed[1]?.publicId ?? '' }));
        await call(() => store.take(rotatedTo));
        await call(() => store.revokeAll(user));
        await call(() => store.revokeAll(other));
      });

      expect(runs).toHaveLength(calls);
      for (const run of runs) {
        const touched = (await Promise.all(run.luaCommands.map(keysOf))).flat();
        // Key prefixes a script appends to (session key prefix, index key prefix) in ARGV.
        const builders = run.argv.filter((arg) => arg.startsWith(prefix));
        const built = builders.flatMap((builder) => [builder + user, builder + 'some-digest']);
        const all = [...run.declaredKeys, ...builders, ...built, ...touched];
        expect(touched.length).toBeGreaterThan(0);
        expect(touched.every((key) => key.startsWith(prefix))).toBe(true);
        const slots = new Set(all.map((key) => calculateSlot(key)));
        expect({ run: run.declaredKeys, slots: [...slots] }).toEqual({
          run: run.declaredKeys,
          slots: [calculateSlot(run.declaredKeys[0]!)],
        });
        expect(calculateSlot.generateMulti(all)).toBe(calculateSlot(run.declaredKeys[0]!));
      }
    });
  });
});

describe('rotation with a forward (scheduled rotations)', () => {
  const fixture = createStoreFixture('forward');
  afterAll(() => fixture.close());
  const clock = () => ({ nowMs: Date.now(), idleTimeoutMs: 600_000, touchIntervalMs: 60_000 });

  it('lets reads and saves of the old address follow to the new one, briefly, and never rotate twice', async () => {
    const { store, client, newAddress, storedSession, createOptions } = fixture;
    const from = newAddress('fwd-user');
    const to = newAddress('fwd-user');
    const session = storedSession('fwd-user', Date.now(), 3_600_000);
    await store.create(from.address, session, createOptions(600_000));
    expect(await store.rotate(from.address, to.address, { forwardOldMs: 10_000 })).toBe(true);

    const viaOld = await store.read(from.address, clock());
    expect(viaOld).toMatchObject({ status: 'found', forwardedTo: to.address.digest });
    expect(viaOld.status === 'found' && viaOld.session.publicId).toBe(session.publicId);
    expect(await store.save(from.address, { set: { k: '"v"' }, unset: [] })).toBe(true);
    const viaNew = await store.read(to.address, clock());
    expect(viaNew.status === 'found' && viaNew.session.data).toEqual({ k: '"v"' });
    expect(viaNew.status === 'found' && 'forwardedTo' in viaNew).toBe(false);

    // A second rotation from the forward must fail: exactly one new token.
    expect(
      await store.rotate(from.address, newAddress('fwd-user').address, { forwardOldMs: 10_000 }),
    ).toBe(false);
    const [forwardKey] = await client.keys(`${fixture.prefix}*:s:${from.address.digest}`);
    const pttl = await client.pttl(forwardKey!);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(10_000);
    expect(await client.hgetall(forwardKey!)).toEqual({ f: to.address.digest });
  });

  it('leaves nothing to follow once the session is revoked, and no forward without forwardOldMs', async () => {
    const { store, newAddress, storedSession, createOptions } = fixture;
    const from = newAddress('fwd-revoked');
    const to = newAddress('fwd-revoked');
    const session = storedSession('fwd-revoked', Date.now(), 3_600_000);
    await store.create(from.address, session, createOptions(600_000));
    await store.rotate(from.address, to.address, { forwardOldMs: 10_000 });
    await store.revokeAll('fwd-revoked');
    expect(await store.read(from.address, clock())).toEqual({ status: 'missing' });
    expect(await store.save(from.address, { set: { k: '1' }, unset: [] })).toBe(false);

    const a = newAddress('no-forward');
    const b = newAddress('no-forward');
    await store.create(
      a.address,
      storedSession('no-forward', Date.now(), 3_600_000),
      createOptions(600_000),
    );
    await store.rotate(a.address, b.address);
    expect(await store.read(a.address, clock())).toEqual({ status: 'missing' });
  });
});
