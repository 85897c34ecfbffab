import { randomUUID } from 'node:crypto';
import { SessionStoreUnavailableError } from 'nest-redis-session';
import { pollUntil } from '../../../test/support/poll-until.js';
import type { SessionStore } from '../src/store/session-store.js';
import type { SessionLimit, StoredSession } from '../src/store/stored-session.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  randomShard,
  shardOfUser,
  type SessionAddress,
  type ShardTag,
} from '../src/token/session-token.js';

/** Builds a fresh, empty store for one test. */
export type SessionStoreFactory = (options?: { expiryGraceMs?: number }) => SessionStore;

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const ABSOLUTE = 7 * 24 * 60 * MINUTE;
const readClock = (nowMs: number, idleTimeoutMs = IDLE, touchIntervalMs = MINUTE) => ({
  nowMs,
  idleTimeoutMs,
  touchIntervalMs,
});
const listClock = (nowMs: number) => ({ nowMs, idleTimeoutMs: IDLE });
const LRU_3: SessionLimit = { maxSessions: 3, policy: 'evict-least-recently-used' };
const REFUSE_3: SessionLimit = { maxSessions: 3, policy: 'refuse' };

const newUser = (label: string) => `${label}-${randomUUID()}`;
const sorted = (ids: readonly string[]) => [...ids].sort();
/** A session address in the user's shard, or a random shard for an anonymous session. */
const newAddress = (userId: string | null): SessionAddress =>
  addressOfToken(generateSessionToken(userId === null ? randomShard() : shardOfUser(userId)));

interface LoginOptions {
  readonly nowMs?: number;
  readonly ttlMs?: number;
  readonly absoluteMs?: number;
  readonly limit?: SessionLimit;
  readonly expectedGeneration?: string;
  readonly overrides?: Partial<StoredSession>;
}

/**
 * The behaviour every SessionStore must have, run against each implementation (STYLE §3.5):
 * the same calls must give the same answers, whatever holds the sessions. Tests that depend on
 * key TTLs wait on the wall clock (at most about a second each); the rest pass the clock in.
 */
export function sessionStoreContract(name: string, createStore: SessionStoreFactory): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    beforeEach(() => {
      store = createStore();
    });

    /** Creates a session of `userId` (null: anonymous) in `target` (default: this test's store). */
    async function login(userId: string | null, options: LoginOptions = {}, target = store) {
      const nowMs = options.nowMs ?? Date.now();
      const address = newAddress(userId);
      const session: StoredSession = {
        publicId: generatePublicSessionId(),
        userId,
        createdAt: nowMs,
        lastSeenAt: nowMs,
        absoluteExpiresAt: nowMs + (options.absoluteMs ?? ABSOLUTE),
        roles: userId === null ? [] : ['user'],
        elevatedUntil: null,
        device: { ip: '203.0.113.7', userAgent: 'Contract/1.0' },
        rotationDue: false,
        data: {},
        ...options.overrides,
      };
      const result = await target.create(address, session, {
        ttlMs: options.ttlMs ?? IDLE,
        clock: { nowMs, idleTimeoutMs: IDLE },
        ...(options.limit && { limit: options.limit }),
        ...(options.expectedGeneration !== undefined && {
          expectedGeneration: options.expectedGeneration,
        }),
      });
      return { address, session, result };
    }

    const status = async (address: SessionAddress, nowMs = Date.now(), target = store) =>
      (await target.read(address, readClock(nowMs))).status;
    const listed = async (userId: string, nowMs = Date.now()) =>
      sorted((await store.list(userId, listClock(nowMs))).map((s) => s.publicId));
    /** Resolves once `address` reads as missing by the wall clock (its TTL ran out). */
    const gone = (address: SessionAddress, target = store) =>
      pollUntil(async () => (await status(address, Date.now(), target)) === 'missing', {
        deadlineMs: 5000,
      });

    describe('create and read', () => {
      it('reads back every field of a created session, data included', async () => {
        const user = newUser('alice');
        const { address, session, result } = await login(user, {
          overrides: {
            roles: ['user', 'admin'],
            elevatedUntil: Date.now() + MINUTE,
            data: { cart: '["a","b"]', n: '1' },
          },
        });
        expect(result).toEqual({ status: 'created', evicted: [] });
        expect(await store.read(address, readClock(session.createdAt + 1000))).toEqual({
          status: 'found',
          session,
        });
      });

      it('answers missing for an address that was never used', async () => {
        expect(await store.read(newAddress(null), readClock(Date.now()))).toEqual({
          status: 'missing',
        });
      });

      it('hands out copies: changing what was read or created changes nothing stored', async () => {
        const data: Record<string, string> = { k: '"v"' };
        const { address, session } = await login(newUser('copy'), { overrides: { data } });
        data.k = '"changed"';
        const first = await store.read(address, readClock(session.createdAt));
        if (first.status !== 'found') throw new Error(`expected found, got ${first.status}`);
        (first.session.roles as string[]).push('admin');
        (first.session.data as Record<string, string>).k = '"changed"';
        const again = await store.read(address, readClock(session.createdAt));
        expect(again).toEqual({ status: 'found', session: { ...session, data: { k: '"v"' } } });
      });

      it('keeps a data key named __proto__ as an ordinary key', async () => {
        const data = Object.create(null) as Record<string, string>;
        data['__proto__'] = '{"polluted":true}';
        const { address } = await login(null, { overrides: { data } });
        const read = await store.read(address, readClock(Date.now()));
        expect(read.status === 'found' && Object.entries(read.session.data)).toEqual([
          ['__proto__', '{"polluted":true}'],
        ]);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it('stores a device with neither IP nor user agent as no device', async () => {
        const user = newUser('headless');
        const { address } = await login(user, {
          overrides: { device: { ip: '', userAgent: '' } },
        });
        const read = await store.read(address, readClock(Date.now()));
        expect(read.status === 'found' && read.session.device).toBeNull();
        expect((await store.list(user, listClock(Date.now())))[0]?.device).toBeNull();
      });

      it('refuses to create at an address in use, leaving the session there intact', async () => {
        const user = newUser('collision');
        const first = await login(user, { overrides: { data: { k: '1' } } });
        const second = { ...first.session, publicId: generatePublicSessionId(), data: {} };
        await expect(
          store.create(first.address, second, {
            ttlMs: IDLE,
            clock: { nowMs: Date.now(), idleTimeoutMs: IDLE },
          }),
        ).rejects.toBeInstanceOf(SessionStoreUnavailableError);
        expect(await store.read(first.address, readClock(first.session.createdAt))).toEqual({
          status: 'found',
          session: first.session,
        });
      });
    });

    describe('expiry', () => {
      it('expires a session idle for the idle timeout, naming it once, then forgets it', async () => {
        const user = newUser('idle');
        const t0 = Date.now();
        const { address, session } = await login(user, { nowMs: t0 });
        expect(await status(address, t0 + IDLE - 1)).toBe('found'); // touches: last seen moves
        const lastSeen = t0 + IDLE - 1;
        expect(await store.read(address, readClock(lastSeen + IDLE))).toEqual({
          status: 'expired',
          sessionId: session.publicId,
          userId: user,
        });
        expect(await status(address, lastSeen)).toBe('missing');
      });

      it('expires at the absolute deadline however recently the session was seen', async () => {
        const t0 = Date.now();
        const { address } = await login(newUser('abs'), { nowMs: t0, absoluteMs: 3 * MINUTE });
        for (const minutes of [1, 2])
          expect(await status(address, t0 + minutes * MINUTE)).toBe('found');
        expect(await status(address, t0 + 3 * MINUTE)).toBe('expired');
      });

      it('reports an expired anonymous session with a null user', async () => {
        const t0 = Date.now();
        const { address, session } = await login(null, { nowMs: t0 });
        expect(await store.read(address, readClock(t0 + IDLE))).toEqual({
          status: 'expired',
          sessionId: session.publicId,
          userId: null,
        });
      });

      it('drops a session once its TTL has passed on the wall clock', async () => {
        store = createStore({ expiryGraceMs: 0 });
        const { address } = await login(newUser('ttl'), { ttlMs: 300 });
        expect(await status(address)).toBe('found');
        // The clock handed in says "alive": only the TTL can make it disappear.
        await gone(address);
        expect(await listed(newUser('ttl'))).toEqual([]);
      });

      it('keeps an expired session for the grace period, so a late read says expired', async () => {
        const noGrace = createStore({ expiryGraceMs: 0 });
        const withGrace = createStore({ expiryGraceMs: 10_000 });
        const t0 = Date.now();
        const a = await login(null, { nowMs: t0, ttlMs: 300 }, noGrace);
        const b = await login(null, { nowMs: t0, ttlMs: 300 }, withGrace);
        await gone(a.address, noGrace);
        expect(await withGrace.read(b.address, readClock(t0 + 300, 300, 100))).toEqual({
          status: 'expired',
          sessionId: b.session.publicId,
          userId: null,
        });
      });
    });

    describe('touch', () => {
      it('moves last-seen at most once per touch interval', async () => {
        const t0 = Date.now();
        const { address } = await login(newUser('touch'), { nowMs: t0 });
        const lastSeen = async (nowMs: number) => {
          const read = await store.read(address, readClock(nowMs));
          return read.status === 'found' ? read.session.lastSeenAt : read.status;
        };
        expect(await lastSeen(t0 + MINUTE - 1)).toBe(t0);
        expect(await lastSeen(t0 + MINUTE)).toBe(t0 + MINUTE);
        expect(await lastSeen(t0 + 2 * MINUTE - 1)).toBe(t0 + MINUTE);
      });

      it('moves the idle deadline with each touch', async () => {
        const t0 = Date.now();
        const { address } = await login(newUser('slide'), { nowMs: t0 });
        expect(await status(address, t0 + 20 * MINUTE)).toBe('found');
        expect(await status(address, t0 + IDLE + MINUTE)).toBe('found');
        expect(await status(address, t0 + IDLE + MINUTE + IDLE)).toBe('expired');
      });

      it('re-arms the wall-clock TTL when it touches', async () => {
        store = createStore({ expiryGraceMs: 0 });
        const t0 = Date.now();
        const touched = await login(null, { nowMs: t0, ttlMs: 400 });
        const untouched = await login(null, { nowMs: t0, ttlMs: 400 });
        expect(await status(touched.address, t0 + MINUTE)).toBe('found');
        await gone(untouched.address);
        expect(await status(touched.address, t0 + MINUTE)).toBe('found');
      });
    });

    describe('save', () => {
      it('writes the changed keys and removes the unset ones, leaving the rest', async () => {
        const { address } = await login(null, { overrides: { data: { a: '1', b: '2', c: '3' } } });
        expect(await store.save(address, { set: { a: '10', d: '4' }, unset: ['b'] })).toBe(true);
        const read = await store.read(address, readClock(Date.now()));
        expect(read.status === 'found' && { ...read.session.data }).toEqual({
          a: '10',
          c: '3',
          d: '4',
        });
      });

      it('keeps every key when concurrent saves change different keys', async () => {
        const { address } = await login(null);
        const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
        await Promise.all(keys.map((k) => store.save(address, { set: { [k]: '1' }, unset: [] })));
        const read = await store.read(address, readClock(Date.now()));
        expect(read.status === 'found' && sorted(Object.keys(read.session.data))).toEqual(
          sorted(keys),
        );
      });

      it('saves and removes thousands of small keys at once (past Lua unpack limits)', async () => {
        // 4096 keys of 1-3 characters with value "1": about 16 kB, within the default maxDataBytes.
        const keys = Array.from({ length: 4096 }, (_, i) => i.toString(16));
        const { address } = await login(null, {
          overrides: { data: Object.fromEntries(keys.map((k) => [`old-${k}`, '1'])) },
        });
        const set = Object.fromEntries(keys.map((k) => [k, '1']));
        expect(await store.save(address, { set, unset: [] })).toBe(true);
        const all = await store.read(address, readClock(Date.now()));
        expect(all.status === 'found' && Object.keys(all.session.data).length).toBe(8192);
        expect(await store.save(address, { set: {}, unset: keys })).toBe(true);
        const read = await store.read(address, readClock(Date.now()));
        expect(read.status === 'found' && Object.keys(read.session.data).length).toBe(4096);
      });

      it('answers false for an address with no session, and creates nothing', async () => {
        const address = newAddress(null);
        expect(await store.save(address, { set: { a: '1' }, unset: [] })).toBe(false);
        expect(await status(address)).toBe('missing');
      });

      it('refuses a late save after the session was taken: nothing comes back', async () => {
        const user = newUser('late');
        const { address } = await login(user);
        expect(await store.take(address)).not.toBeNull();
        expect(await store.save(address, { set: { a: '1' }, unset: [] })).toBe(false);
        expect(await status(address)).toBe('missing');
        expect(await listed(user)).toEqual([]);
      });
    });

    describe('take', () => {
      it('returns what the session held and deletes it and its index entry', async () => {
        const user = newUser('take');
        const { address, session } = await login(user, { overrides: { data: { k: '"v"' } } });
        const sibling = await login(user);
        expect(await store.take(address)).toEqual(session);
        expect(await store.take(address)).toBeNull();
        expect(await status(address)).toBe('missing');
        expect(await listed(user)).toEqual([sibling.session.publicId]);
        expect(await store.revoke(user, session.publicId)).toBe(false);
      });
    });

    describe('rotate', () => {
      it('moves the session to the new address: the old one is dead, id and data kept', async () => {
        const user = newUser('rot');
        const { address, session } = await login(user, { overrides: { data: { k: '"v"' } } });
        const to = newAddress(user);
        expect(await store.rotate(address, to)).toBe(true);
        expect(await status(address)).toBe('missing');
        expect(await store.read(to, readClock(session.createdAt))).toEqual({
          status: 'found',
          session,
        });
      });

      it('clears a pending rotation and sets the elevation it is given', async () => {
        const user = newUser('elevate');
        const { address, session } = await login(user);
        await store.updateUser(user, { roles: ['admin'] });
        const due = await store.read(address, readClock(session.createdAt));
        expect(due.status === 'found' && due.session.rotationDue).toBe(true);

        const to = newAddress(user);
        const until = session.createdAt + 5 * MINUTE;
        expect(await store.rotate(address, to, { elevatedUntil: until })).toBe(true);
        const read = await store.read(to, readClock(session.createdAt));
        expect(read.status === 'found' && read.session).toMatchObject({
          rotationDue: false,
          elevatedUntil: until,
          roles: ['admin'],
        });
      });

      it('answers false for a missing session, and when the target address is in use', async () => {
        const user = newUser('rot-false');
        expect(await store.rotate(newAddress(user), newAddress(user))).toBe(false);
        const a = await login(user);
        const b = await login(user);
        expect(await store.rotate(a.address, b.address)).toBe(false);
        expect(await status(a.address)).toBe('found');
        const read = await store.read(b.address, readClock(Date.now()));
        expect(read.status === 'found' && read.session.publicId).toBe(b.session.publicId);
      });

      it('lets exactly one of two concurrent rotations win', async () => {
        const user = newUser('race');
        const { address } = await login(user);
        const targets = [newAddress(user), newAddress(user)];
        const results = await Promise.all(targets.map((to) => store.rotate(address, to)));
        expect(sorted(results.map(String))).toEqual(['false', 'true']);
        expect(sorted(await Promise.all(targets.map((to) => status(to))))).toEqual([
          'found',
          'missing',
        ]);
      });

      it('keeps the session listed and revocable under its public id', async () => {
        const user = newUser('rot-index');
        const { address, session } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to);
        expect(await listed(user)).toEqual([session.publicId]);
        expect(await store.revoke(user, session.publicId)).toBe(true);
        expect(await status(to)).toBe('missing');
      });

      it('rejects two addresses of different shards', async () => {
        const { address } = await login(newUser('shards'));
        const otherShard = (address.shard === 'AA' ? 'BB' : 'AA') as ShardTag;
        const elsewhere = addressOfToken(generateSessionToken(otherShard));
        await expect(store.rotate(address, elsewhere)).rejects.toThrow(/same shard/);
      });
    });

    describe('rotate with a forward (forwardOldMs)', () => {
      it('lets reads and saves of the old address follow to the new one, naming it', async () => {
        const user = newUser('fwd');
        const { address, session } = await login(user);
        const to = newAddress(user);
        expect(await store.rotate(address, to, { forwardOldMs: 10_000 })).toBe(true);

        const viaOld = await store.read(address, readClock(session.createdAt));
        expect(viaOld).toEqual({ status: 'found', session, forwardedTo: to.digest });
        expect(await store.save(address, { set: { k: '"v"' }, unset: [] })).toBe(true);
        const viaNew = await store.read(to, readClock(session.createdAt));
        expect(viaNew).toEqual({ status: 'found', session: { ...session, data: { k: '"v"' } } });
      });

      it('never rotates a forward again: exactly one new token lives', async () => {
        const user = newUser('fwd-twice');
        const { address } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to, { forwardOldMs: 10_000 });
        const again = newAddress(user);
        expect(await store.rotate(address, again, { forwardOldMs: 10_000 })).toBe(false);
        expect(await status(again)).toBe('missing');
        expect(await status(to)).toBe('found');
      });

      it('leaves nothing behind without forwardOldMs', async () => {
        const user = newUser('no-fwd');
        const { address } = await login(user);
        await store.rotate(address, newAddress(user));
        expect(await status(address)).toBe('missing');
        expect(await store.save(address, { set: { k: '1' }, unset: [] })).toBe(false);
      });

      it('ends the forward after forwardOldMs on the wall clock', async () => {
        const user = newUser('fwd-ttl');
        const { address } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to, { forwardOldMs: 200 });
        await gone(address);
        expect(await status(to)).toBe('found');
      });

      it('leads nowhere once the session is revoked', async () => {
        const user = newUser('fwd-revoked');
        const { address } = await login(user);
        await store.rotate(address, newAddress(user), { forwardOldMs: 10_000 });
        await store.revokeAll(user);
        expect(await status(address)).toBe('missing');
        expect(await store.save(address, { set: { k: '1' }, unset: [] })).toBe(false);
      });

      it('takes the session a forward leads to when taken at the old address (a logout racing the rotation)', async () => {
        const user = newUser('fwd-take');
        const { address, session } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to, { forwardOldMs: 10_000 });
        expect((await store.take(address))?.publicId).toBe(session.publicId);
        expect(await status(address)).toBe('missing');
        expect(await status(to)).toBe('missing');
        expect(await store.list(user, listClock(Date.now()))).toEqual([]);
      });
    });

    describe('superseded marks (supersedeOldMs, take with supersedeMs)', () => {
      it('answers superseded at the old address of a rotation, following nowhere', async () => {
        const user = newUser('sup-rot');
        const { address, session } = await login(user);
        const to = newAddress(user);
        expect(await store.rotate(address, to, { supersedeOldMs: 10_000 })).toBe(true);
        expect(await status(address)).toBe('superseded');
        expect(await store.save(address, { set: { k: '"v"' }, unset: [] })).toBe(false);
        expect(await store.rotate(address, newAddress(user), { supersedeOldMs: 10_000 })).toBe(
          false,
        );
        expect(await store.read(to, readClock(session.createdAt))).toEqual({
          status: 'found',
          session,
        });
      });

      it('takes the session a rotation moved to when taken at its mark (a logout racing a step-up)', async () => {
        const user = newUser('sup-take-rot');
        const { address, session } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to, { supersedeOldMs: 10_000 });
        expect((await store.take(address))?.publicId).toBe(session.publicId);
        expect(await status(address)).toBe('missing');
        expect(await status(to)).toBe('missing');
        expect(await listed(user)).toEqual([]);
      });

      it('forwards instead when forwardOldMs is given too', async () => {
        const user = newUser('sup-fwd');
        const { address } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to, { forwardOldMs: 10_000, supersedeOldMs: 10_000 });
        const read = await store.read(address, readClock(Date.now()));
        expect(read.status === 'found' && read.forwardedTo).toBe(to.digest);
      });

      it('answers superseded where a session was taken with supersedeMs', async () => {
        const user = newUser('sup-take');
        const { address, session } = await login(user);
        expect((await store.take(address, { supersedeMs: 10_000 }))?.publicId).toBe(
          session.publicId,
        );
        expect(await status(address)).toBe('superseded');
        expect(await listed(user)).toEqual([]);
        // The mark of a take names no session: taking it again takes nothing else.
        const other = await login(user);
        expect(await store.take(address)).toBeNull();
        expect(await status(other.address)).toBe('found');
        // Nor does it end the mark: a later request must still learn its cookie was replaced.
        expect(await status(address)).toBe('superseded');
      });

      it('keeps a rotation mark whose session is gone when taken', async () => {
        const user = newUser('sup-gone');
        const { address } = await login(user);
        await store.rotate(address, newAddress(user), { supersedeOldMs: 10_000 });
        await store.revokeAll(user);
        expect(await store.take(address)).toBeNull();
        expect(await status(address)).toBe('superseded');
      });

      it('answers superseded through a forward whose session was rotated again or taken by a login', async () => {
        const user = newUser('sup-via-fwd');
        const { address } = await login(user);
        const scheduled = newAddress(user);
        await store.rotate(address, scheduled, { forwardOldMs: 10_000 });
        await store.rotate(scheduled, newAddress(user), { supersedeOldMs: 10_000 });
        expect(await status(address)).toBe('superseded');

        const second = await login(user);
        const moved = newAddress(user);
        await store.rotate(second.address, moved, { forwardOldMs: 10_000 });
        await store.take(moved, { supersedeMs: 10_000 });
        expect(await status(second.address)).toBe('superseded');
      });

      it('refuses a time that is not a whole number of milliseconds, changing nothing', async () => {
        const user = newUser('sup-ms');
        const { address } = await login(user);
        const to = newAddress(user);
        await expect(store.rotate(address, to, { supersedeOldMs: 1.5 })).rejects.toThrow(
          RangeError,
        );
        await expect(store.rotate(address, to, { forwardOldMs: -1 })).rejects.toThrow(RangeError);
        await expect(store.take(address, { supersedeMs: Number.NaN })).rejects.toThrow(RangeError);
        expect(await status(address)).toBe('found');
        expect(await status(to)).toBe('missing');
      });

      it('leaves no mark where take found no session', async () => {
        const user = newUser('sup-none');
        const address = newAddress(user);
        expect(await store.take(address, { supersedeMs: 10_000 })).toBeNull();
        expect(await status(address)).toBe('missing');
      });

      it('ends the mark after its time on the wall clock', async () => {
        const user = newUser('sup-ttl');
        const { address } = await login(user);
        const to = newAddress(user);
        await store.rotate(address, to, { supersedeOldMs: 200 });
        expect(await status(address)).toBe('superseded');
        await gone(address);
        expect(await status(to)).toBe('found');
      });
    });

    describe('list', () => {
      it("lists exactly the user's live sessions with device, elevation and last touch", async () => {
        const t0 = Date.now();
        const alice = newUser('alice');
        const bob = newUser('bob');
        const phone = await login(alice, { nowMs: t0 - 10 * MINUTE });
        const laptop = await login(alice, {
          nowMs: t0 - 5 * MINUTE,
          overrides: {
            device: { ip: '2001:db8::7', userAgent: 'Laptop/2.0' },
            elevatedUntil: t0 + 5 * MINUTE,
          },
        });
        const bobs = await login(bob, { nowMs: t0 });
        await login(null, { nowMs: t0 });
        expect(await status(phone.address, t0)).toBe('found'); // a touch

        const summaries = await store.list(alice, listClock(t0));
        const summary = ({ session }: { session: StoredSession }) => ({
          publicId: session.publicId,
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
          absoluteExpiresAt: session.absoluteExpiresAt,
          elevatedUntil: session.elevatedUntil,
          device: session.device,
        });
        const byId = (a: { publicId: string }, b: { publicId: string }) =>
          a.publicId.localeCompare(b.publicId);
        expect(summaries.sort(byId)).toEqual(
          [{ ...summary(phone), lastSeenAt: t0 }, summary(laptop)].sort(byId),
        );
        expect(await listed(bob, t0)).toEqual([bobs.session.publicId]);
        expect(await listed(newUser('nobody'), t0)).toEqual([]);
      });

      it('leaves out sessions dead by the clock, and deletes them', async () => {
        const t0 = Date.now();
        const user = newUser('dead');
        const idle = await login(user, { nowMs: t0 });
        const short = await login(user, { nowMs: t0 + 20 * MINUTE, absoluteMs: 5 * MINUTE });
        const alive = await login(user, { nowMs: t0 + 20 * MINUTE });
        expect(await listed(user, t0 + 24 * MINUTE)).toEqual(
          sorted([idle, short, alive].map((s) => s.session.publicId)),
        );
        expect(await listed(user, t0 + IDLE)).toEqual([alive.session.publicId]);
        for (const dead of [idle, short]) expect(await status(dead.address, t0)).toBe('missing');
      });
    });

    describe('revoke', () => {
      it('revokes one session; its sibling lives; a second revoke answers false', async () => {
        const user = newUser('revoke');
        const target = await login(user);
        const sibling = await login(user);
        expect(await store.revoke(user, target.session.publicId)).toBe(true);
        expect(await status(target.address)).toBe('missing');
        expect(await status(sibling.address)).toBe('found');
        expect(await listed(user)).toEqual([sibling.session.publicId]);
        expect(await store.revoke(user, target.session.publicId)).toBe(false);
      });

      it("answers false for an unknown id, another user's id and '#g'", async () => {
        const alice = newUser('alice');
        const bob = newUser('bob');
        const own = await login(alice);
        const bobs = await login(bob);
        await store.revokeAll(alice, { except: own.session.publicId });
        expect(await store.revoke(alice, generatePublicSessionId())).toBe(false);
        expect(await store.revoke(alice, bobs.session.publicId)).toBe(false);
        expect(await store.revoke(alice, '#g')).toBe(false);
        expect(await store.generation(alice)).toBe('1');
        expect(await status(bobs.address)).toBe('found');
        expect(await listed(alice)).toEqual([own.session.publicId]);
      });
    });

    describe('revokeAll', () => {
      it("revokes every session of the user, returns their ids and spares other users'", async () => {
        const alice = newUser('alice');
        const bob = newUser('bob');
        const mine = [await login(alice), await login(alice), await login(alice)];
        const bobs = await login(bob);
        expect(sorted(await store.revokeAll(alice))).toEqual(
          sorted(mine.map((s) => s.session.publicId)),
        );
        for (const { address } of mine) expect(await status(address)).toBe('missing');
        expect(await listed(alice)).toEqual([]);
        expect(await status(bobs.address)).toBe('found');
        expect(await store.revokeAll(alice)).toEqual([]);
      });

      it('keeps the excepted session, which can still be saved', async () => {
        const user = newUser('except');
        const current = await login(user);
        const others = [await login(user), await login(user)];
        expect(sorted(await store.revokeAll(user, { except: current.session.publicId }))).toEqual(
          sorted(others.map((s) => s.session.publicId)),
        );
        expect(await listed(user)).toEqual([current.session.publicId]);
        expect(await store.save(current.address, { set: { k: '1' }, unset: [] })).toBe(true);
      });

      it('does not report sessions whose TTL already ran out', async () => {
        store = createStore({ expiryGraceMs: 0 });
        const user = newUser('ttl-gone');
        const dropped = await login(user, { ttlMs: 300 });
        const live = await login(user);
        await gone(dropped.address);
        expect(await store.revokeAll(user)).toEqual([live.session.publicId]);
      });
    });

    describe('updateUser', () => {
      it("sets the roles on each of the user's sessions and marks each for rotation", async () => {
        const user = newUser('promote');
        const other = newUser('other');
        const mine = [await login(user), await login(user)];
        const theirs = await login(other);
        expect(await store.updateUser(user, { roles: ['admin', 'user'] })).toBe(2);
        for (const { address } of mine) {
          const read = await store.read(address, readClock(Date.now()));
          expect(read.status === 'found' && read.session).toMatchObject({
            roles: ['admin', 'user'],
            rotationDue: true,
          });
        }
        const read = await store.read(theirs.address, readClock(Date.now()));
        expect(read.status === 'found' && read.session).toMatchObject({
          roles: ['user'],
          rotationDue: false,
        });
      });

      it('answers 0 for a user without sessions', async () => {
        expect(await store.updateUser(newUser('nobody'), { roles: ['admin'] })).toBe(0);
      });
    });

    describe('generation', () => {
      it("is '0' for a user never seen, and moves with each revoke-all and user update", async () => {
        const user = newUser('gen');
        expect(await store.generation(user)).toBe('0');
        await store.revokeAll(user);
        expect(await store.generation(user)).toBe('1');
        await store.updateUser(user, { roles: [] });
        expect(await store.generation(user)).toBe('2');
        expect(await store.generation(newUser('other'))).toBe('0');
      });

      it('refuses a login that read the generation before it moved, storing nothing', async () => {
        for (const move of [
          (user: string) => store.revokeAll(user),
          (user: string) => store.updateUser(user, { roles: ['admin'] }),
        ]) {
          const user = newUser('in-flight');
          const before = await store.generation(user);
          await move(user);
          const late = await login(user, { expectedGeneration: before });
          expect(late.result).toEqual({ status: 'revoked-meanwhile' });
          expect(await status(late.address)).toBe('missing');
          expect(await listed(user)).toEqual([]);

          const retry = await login(user, { expectedGeneration: await store.generation(user) });
          expect(retry.result).toEqual({ status: 'created', evicted: [] });
        }
      });
    });

    describe('per-user limit', () => {
      it('evicts the least recently seen session beyond the limit and names it', async () => {
        const t0 = Date.now();
        const user = newUser('lru');
        const first = await login(user, { nowMs: t0, limit: LRU_3 });
        const second = await login(user, { nowMs: t0 + 1, limit: LRU_3 });
        const third = await login(user, { nowMs: t0 + 2, limit: LRU_3 });
        expect(await status(first.address, t0 + MINUTE)).toBe('found'); // now seen most recently
        const fourth = await login(user, { nowMs: t0 + MINUTE, limit: LRU_3 });
        expect(fourth.result).toEqual({ status: 'created', evicted: [second.session.publicId] });
        expect(await status(second.address, t0 + MINUTE)).toBe('missing');
        expect(await listed(user, t0 + MINUTE)).toEqual(
          sorted([first, third, fourth].map((s) => s.session.publicId)),
        );
      });

      it("refuses a login beyond the limit with 'refuse', storing nothing", async () => {
        const user = newUser('refuse');
        const existing = [];
        for (let i = 0; i < 3; i++) existing.push(await login(user, { limit: REFUSE_3 }));
        const refused = await login(user, { limit: REFUSE_3 });
        expect(refused.result).toEqual({ status: 'limit-reached' });
        expect(await status(refused.address)).toBe('missing');
        expect(await listed(user)).toEqual(sorted(existing.map((s) => s.session.publicId)));
      });

      it('does not count dead sessions, and never limits anonymous ones', async () => {
        const t0 = Date.now();
        const user = newUser('dead-limit');
        for (let i = 0; i < 3; i++) await login(user, { nowMs: t0 - IDLE - i, limit: REFUSE_3 });
        const fresh = await login(user, { nowMs: t0, limit: REFUSE_3 });
        expect(fresh.result).toEqual({ status: 'created', evicted: [] });
        expect(await listed(user, t0)).toEqual([fresh.session.publicId]);

        for (let i = 0; i < 4; i++) {
          expect((await login(null, { limit: REFUSE_3 })).result.status).toBe('created');
        }
      });
    });
  });
}
