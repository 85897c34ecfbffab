import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisSessionStore, SessionStoreUnavailableError } from 'nest-redis-session';
import { createStoreFixture } from './store-fixture.js';

const MINUTE = 60_000;
const clock = (nowMs: number, idleTimeoutMs = 30 * MINUTE, touchIntervalMs = MINUTE) => ({
  nowMs,
  idleTimeoutMs,
  touchIntervalMs,
});

describe('RedisSessionStore on a real redis-server', () => {
  const fixture = createStoreFixture('store');
  const { store, client, newAddress, storedSession, createOptions } = fixture;
  afterAll(() => fixture.close());

  it('creates and reads back a session with its data fields', async () => {
    const now = Date.now();
    const { address } = newAddress('user-1');
    const session = storedSession('user-1', now, 7 * 24 * 60 * MINUTE, { cart: '["a","b"]' });
    await store.create(address, session, createOptions(30 * MINUTE));

    const result = await store.read(address, clock(now + 1000));
    expect(result).toEqual({
      status: 'found',
      session: { ...session, data: { cart: '["a","b"]' } },
    });
  });

  it('reads and saves on a server that no longer knows the scripts (restart, failover)', async () => {
    const now = Date.now();
    const { address } = newAddress('user-flush');
    await store.create(
      address,
      storedSession('user-flush', now, 60 * MINUTE),
      createOptions(MINUTE),
    );
    // Other files share this server: their next calls take the same EVAL path, which is the
    // behaviour under test and changes none of their results.
    await client.script('FLUSH');
    expect(await store.read(address, clock(now + 1000))).toMatchObject({ status: 'found' });
    await client.script('FLUSH');
    expect(await store.save(address, { set: { theme: '"dark"' }, unset: [] })).toBe(true);
    const read = await store.read(address, clock(now + 2000));
    expect(read.status === 'found' && read.session.data).toEqual({ theme: '"dark"' });
  });

  it('reads with the timeouts of each call, however the calls alternate', async () => {
    // The timeouts are written into the read script (one per set of them), not sent with the
    // read: a store that cached the first script it built would apply 30 min everywhere.
    const now = Date.now();
    const { address } = newAddress('user-clocks');
    await store.create(
      address,
      storedSession('user-clocks', now, 60 * MINUTE),
      createOptions(30 * MINUTE),
    );
    const fiveMinutesLater = now + 5 * MINUTE;
    expect(
      await store.read(address, clock(fiveMinutesLater, 30 * MINUTE, 10 * MINUTE)),
    ).toMatchObject({
      status: 'found',
    });
    expect(
      await store.read(address, clock(fiveMinutesLater, 4 * MINUTE, 10 * MINUTE)),
    ).toMatchObject({
      status: 'expired',
      userId: 'user-clocks',
    });
    expect(await store.read(address, clock(fiveMinutesLater, 30 * MINUTE, 10 * MINUTE))).toEqual({
      status: 'missing',
    });
  });

  it('touches by the touch interval of the call', async () => {
    const now = Date.now();
    const { address } = newAddress('user-touch-interval');
    const session = storedSession('user-touch-interval', now, 60 * MINUTE);
    await store.create(address, session, createOptions(30 * MINUTE));

    const notDue = await store.read(address, clock(now + 2 * MINUTE, 30 * MINUTE, 5 * MINUTE));
    const due = await store.read(address, clock(now + 3 * MINUTE, 30 * MINUTE, MINUTE));
    const after = await store.read(address, clock(now + 3 * MINUTE, 30 * MINUTE, 5 * MINUTE));

    expect(notDue.status === 'found' && notDue.session.lastSeenAt).toBe(session.lastSeenAt);
    expect(due.status === 'found' && due.session.lastSeenAt).toBe(now + 3 * MINUTE);
    expect(after.status === 'found' && after.session.lastSeenAt).toBe(now + 3 * MINUTE);
  });

  it('reports an unknown address as missing', async () => {
    expect(await store.read(newAddress().address, clock(Date.now()))).toEqual({
      status: 'missing',
    });
  });

  it('sets the key TTL to the idle timeout at creation', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 10 * MINUTE), createOptions(2000));
    const [key] = await client.keys(`${fixture.prefix}*${address.digest}`);
    const pttl = await client.pttl(key!);
    expect(pttl).toBeGreaterThan(1000);
    expect(pttl).toBeLessThanOrEqual(2000);
  });

  it('touches at most once per interval, moving last-seen and the TTL', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 60 * MINUTE), createOptions(30 * MINUTE));
    const [key] = await client.keys(`${fixture.prefix}*${address.digest}`);

    const early = await store.read(address, clock(now + 30_000));
    expect(early.status === 'found' && early.session.lastSeenAt).toBe(now);

    await client.pexpire(key!, 5000); // shrink, to see the touch restore it
    const due = await store.read(address, clock(now + MINUTE));
    expect(due.status === 'found' && due.session.lastSeenAt).toBe(now + MINUTE);
    // Stored as milliseconds after createdAt (the session was created at `now`).
    expect(await client.hget(key!, 'l')).toBe(String(MINUTE));
    expect(await client.pttl(key!)).toBeGreaterThan(29 * MINUTE);
  });

  it('never extends the TTL past the absolute deadline when touching', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 5 * MINUTE), createOptions(30 * MINUTE));
    await store.read(address, clock(now + 2 * MINUTE));
    const [key] = await client.keys(`${fixture.prefix}*${address.digest}`);
    expect(await client.pttl(key!)).toBeLessThanOrEqual(3 * MINUTE);
  });

  it('expires on idle timeout by the stored clock and deletes the key', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 60 * MINUTE), createOptions(30 * MINUTE));
    expect((await store.read(address, clock(now + 30 * MINUTE - 1))).status).toBe('found');
    // That read touched last-seen; idle is counted from there.
    const lastSeen = now + 30 * MINUTE - 1;
    expect(await store.read(address, clock(lastSeen + 30 * MINUTE))).toMatchObject({
      status: 'expired',
    });
    expect(await client.keys(`${fixture.prefix}*${address.digest}`)).toEqual([]);
  });

  it('expires on the absolute timeout however active the session is', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 3 * MINUTE), createOptions(30 * MINUTE));
    for (const minutes of [1, 2]) {
      expect((await store.read(address, clock(now + minutes * MINUTE))).status).toBe('found');
    }
    expect(await store.read(address, clock(now + 3 * MINUTE))).toMatchObject({ status: 'expired' });
  });

  it('lets Redis drop an idle session by TTL with second-scale timeouts', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 60_000), createOptions(1000));
    const deadline = Date.now() + 3000;
    let status = 'found';
    while (status === 'found' && Date.now() < deadline) {
      await sleep(100);
      // A read with a long idle window: only the TTL can make it disappear.
      status = (await store.read(address, clock(now, 60_000, 60_000))).status;
    }
    expect(status).toBe('missing');
    expect(Date.now() - now).toBeGreaterThanOrEqual(900);
  });

  // The read script finds p, c, l and a in place when the codec's order is kept (a listpack
  // hash) and scans for them otherwise: both paths must read, touch and expire alike.
  it('reads, touches and expires a session Redis keeps as a hashtable (a value over 64 B)', async () => {
    const now = Date.now();
    const { address } = newAddress('user-big');
    // A hashtable returns fields in its own order; with 40 fields the chance that p, c, l and a
    // still come first, in order (the fast path), is below one in two million.
    const data: Record<string, string> = { note: JSON.stringify('x'.repeat(100)) };
    for (let i = 0; i < 30; i++) data[`k${i}`] = String(i);
    const session = storedSession('user-big', now, 60 * MINUTE, data);
    await store.create(address, session, createOptions(30 * MINUTE));
    const [key] = await client.keys(`${fixture.prefix}*${address.digest}`);
    expect(await client.object('ENCODING', key!)).toBe('hashtable');
    const order = Object.keys(await client.hgetall(key!));
    expect(order.slice(0, 4)).not.toEqual(['p', 'c', 'l', 'a']);

    expect(await store.read(address, clock(now + 1000))).toEqual({
      status: 'found',
      session: { ...session, data },
    });
    const due = await store.read(address, clock(now + 2 * MINUTE));
    expect(due.status === 'found' && due.session.lastSeenAt).toBe(now + 2 * MINUTE);
    expect(await store.read(address, clock(now + 33 * MINUTE))).toEqual({
      status: 'expired',
      sessionId: session.publicId,
      userId: 'user-big',
    });
  });

  it('reads a listpack session whose fields are not in the codec order', async () => {
    const now = Date.now();
    const { address } = newAddress('user-order');
    const session = storedSession('user-order', now, 60 * MINUTE, { theme: '"dark"' });
    await store.create(address, session, createOptions(30 * MINUTE));
    const [key] = await client.keys(`${fixture.prefix}*${address.digest}`);
    const fields = Object.entries(await client.hgetall(key!)).reverse();
    expect(fields.at(-1)![0]).toBe('p');
    await client.del(key!);
    await client.hset(key!, Object.fromEntries(fields));
    await client.pexpire(key!, 30 * MINUTE);
    expect(await client.object('ENCODING', key!)).toBe('listpack');

    expect(await store.read(address, clock(now + 1000))).toEqual({
      status: 'found',
      session: { ...session, data: { theme: '"dark"' } },
    });
    const due = await store.read(address, clock(now + 2 * MINUTE));
    expect(due.status === 'found' && due.session.lastSeenAt).toBe(now + 2 * MINUTE);
    expect(await store.read(address, clock(now + 33 * MINUTE))).toEqual({
      status: 'expired',
      sessionId: session.publicId,
      userId: 'user-order',
    });
  });

  it('saves only changed fields and leaves the others alone', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(
      address,
      storedSession(null, now, 60 * MINUTE, { a: '1', b: '2' }),
      createOptions(30 * MINUTE),
    );
    expect(await store.save(address, { set: { a: '10', c: '3' }, unset: ['b'] })).toBe(true);
    const result = await store.read(address, clock(now));
    expect(result.status === 'found' && result.session.data).toEqual({ a: '10', c: '3' });
  });

  it('keeps every field when 20 concurrent saves change different keys', async () => {
    const now = Date.now();
    const { address } = newAddress();
    await store.create(address, storedSession(null, now, 60 * MINUTE), createOptions(30 * MINUTE));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.save(address, { set: { [`k${i}`]: String(i) }, unset: [] }),
      ),
    );
    const result = await store.read(address, clock(now));
    expect(result.status === 'found' && Object.keys(result.session.data).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `k${i}`).sort(),
    );
  });

  it('refuses a late save after the session was taken: nothing is recreated', async () => {
    const now = Date.now();
    const { address } = newAddress('user-late');
    await store.create(
      address,
      storedSession('user-late', now, 60 * MINUTE),
      createOptions(30 * MINUTE),
    );
    expect(await store.take(address)).not.toBeNull();
    expect(await store.save(address, { set: { x: '1' }, unset: [] })).toBe(false);
    expect(await client.keys(`${fixture.prefix}*${address.digest}`)).toEqual([]);
  });

  it('rotates atomically: the old address is dead, the new one holds the same session', async () => {
    const now = Date.now();
    const from = newAddress('user-rot');
    const to = newAddress('user-rot');
    const session = storedSession('user-rot', now, 60 * MINUTE, { k: '"v"' });
    await store.create(from.address, session, createOptions(30 * MINUTE));

    expect(await store.rotate(from.address, to.address)).toBe(true);
    expect(await store.read(from.address, clock(now))).toEqual({ status: 'missing' });
    const moved = await store.read(to.address, clock(now));
    expect(moved.status === 'found' && moved.session.publicId).toBe(session.publicId);
    expect(moved.status === 'found' && moved.session.data).toEqual({ k: '"v"' });
  });

  it('lets exactly one of two concurrent rotations win', async () => {
    const now = Date.now();
    const from = newAddress('user-race');
    await store.create(
      from.address,
      storedSession('user-race', now, 60 * MINUTE),
      createOptions(30 * MINUTE),
    );
    const targets = [newAddress('user-race'), newAddress('user-race')];
    const results = await Promise.all(targets.map((t) => store.rotate(from.address, t.address)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const reads = await Promise.all(targets.map((t) => store.read(t.address, clock(now))));
    expect(reads.map((r) => r.status).sort()).toEqual(['found', 'missing']);
  });

  it('points the user index at the rotated digest and drops it on take', async () => {
    const now = Date.now();
    const from = newAddress('user-idx');
    const to = newAddress('user-idx');
    const session = storedSession('user-idx', now, 60 * MINUTE);
    await store.create(from.address, session, createOptions(30 * MINUTE));
    const [indexKey] = await client.keys(`${fixture.prefix}*:i:user-idx`);
    expect(await client.hgetall(indexKey!)).toEqual({ [session.publicId]: from.address.digest });

    await store.rotate(from.address, to.address);
    expect(await client.hgetall(indexKey!)).toEqual({ [session.publicId]: to.address.digest });

    await store.take(to.address);
    expect(await client.hgetall(indexKey!)).toEqual({});
  });

  it('treats a key of the wrong type or a corrupt record as no session and deletes it', async () => {
    const { address } = newAddress();
    const key = `${fixture.prefix}{${address.shard}}:s:${address.digest}`;
    await client.set(key, 'not a hash');
    expect(await store.read(address, clock(Date.now()))).toEqual({ status: 'missing' });
    expect(await client.exists(key)).toBe(0);

    await client.hset(key, { p: 'x', l: 'not-a-number' });
    expect(await store.read(address, clock(Date.now()))).toEqual({ status: 'missing' });
    expect(await client.exists(key)).toBe(0);
  });

  it('stores only digests: no token appears in any key or value', async () => {
    const now = Date.now();
    const tokens: string[] = [];
    for (const userId of ['digest-user', null]) {
      const { token, address } = newAddress(userId);
      tokens.push(token);
      await store.create(
        address,
        storedSession(userId, now, 60 * MINUTE, { note: '"hello"' }),
        createOptions(30 * MINUTE),
      );
    }
    const dump = await fixture.dump();
    expect(dump.length).toBeGreaterThan(0);
    for (const token of tokens) expect(dump).not.toContain(token);
  });
});

describe('RedisSessionStore expiry grace', () => {
  const fixture = createStoreFixture('grace');
  afterAll(() => fixture.close());

  it('keeps an idle-expired record for the grace period, so a late read reports it expired', async () => {
    const store = new RedisSessionStore(fixture.client, fixture.prefix, { expiryGraceMs: 5000 });
    const now = Date.now();
    const { address } = fixture.newAddress('grace-user');
    await store.create(
      address,
      fixture.storedSession('grace-user', now, 60 * MINUTE),
      fixture.createOptions(1000),
    );
    const [key] = await fixture.client.keys(`${fixture.prefix}*${address.digest}`);
    const pttl = await fixture.client.pttl(key!);
    expect(pttl).toBeGreaterThan(5000);
    expect(pttl).toBeLessThanOrEqual(6000);
    // Past the 1 s idle deadline by the clock, still within the grace period in Redis.
    const late = await store.read(address, {
      nowMs: now + 1500,
      idleTimeoutMs: 1000,
      touchIntervalMs: 500,
    });
    expect(late).toMatchObject({ status: 'expired', userId: 'grace-user' });
    expect(await fixture.client.exists(key!)).toBe(0);
  });

  it('adds the grace to the TTL a touch sets, never to the deadline itself', async () => {
    const store = new RedisSessionStore(fixture.client, fixture.prefix, { expiryGraceMs: 5000 });
    const now = Date.now();
    const { address } = fixture.newAddress();
    await store.create(
      address,
      fixture.storedSession(null, now, 60 * MINUTE),
      fixture.createOptions(10_000),
    );
    const touched = await store.read(address, {
      nowMs: now + 6000,
      idleTimeoutMs: 10_000,
      touchIntervalMs: 1000,
    });
    expect(touched.status).toBe('found');
    const [key] = await fixture.client.keys(`${fixture.prefix}*${address.digest}`);
    expect(await fixture.client.pttl(key!)).toBeGreaterThan(14_000);
    expect(
      await store.read(address, {
        nowMs: now + 16_000,
        idleTimeoutMs: 10_000,
        touchIntervalMs: 1000,
      }),
    ).toMatchObject({
      status: 'expired',
    });
  });
});

describe('RedisSessionStore error classification', () => {
  const fixture = createStoreFixture('errors');
  afterAll(() => fixture.close());

  it('rethrows a Redis error that is not about availability instead of disguising it as 503', async () => {
    const { address } = fixture.newAddress('wrongtype-user');
    // The generation lives in the user's index hash; a string there is a bug, not an outage.
    await fixture.client.set(`${fixture.prefix}{${address.shard}}:i:wrongtype-user`, 'not a hash');
    const failure = await fixture.store
      .generation('wrongtype-user')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(SessionStoreUnavailableError);
    expect((failure as Error).message).toMatch(/^WRONGTYPE/);
  });

  it('deletes the session of a create that timed out here, once Redis runs it, without delaying the 503', async () => {
    const slow = new Redis(inject('redisUrl'), { commandTimeout: 100, maxRetriesPerRequest: 1 });
    await slow.ping();
    const store = new RedisSessionStore(slow, fixture.prefix, { expiryGraceMs: 0 });
    const userId = 'timed-out-user';
    const now = Date.now();
    // Loads the create and delete scripts: a timed-out EVALSHA that Redis answers NOSCRIPT
    // later would run nothing, and this test would pass without the delete.
    const warm = fixture.newAddress(userId).address;
    const session = () => fixture.storedSession(userId, now, 60 * MINUTE);
    await store.create(warm, session(), fixture.createOptions(MINUTE, now));
    expect(await store.take(warm)).not.toBeNull();
    const { address } = fixture.newAddress(userId);
    // Holds this connection, and only it, for 400 ms: the create queues behind it.
    const held = slow.blpop(`${fixture.prefix}never-pushed`, 0.4).catch(() => undefined);

    const started = performance.now();
    const failure = await store
      .create(address, session(), fixture.createOptions(MINUTE, now))
      .catch((error: unknown) => error);
    const failedAfterMs = performance.now() - started;
    await held;
    await sleep(500); // Redis runs the create, then the delete, once the BLPOP times out
    const key = `${fixture.prefix}{${address.shard}}:s:${address.digest}`;

    expect(failure).toBeInstanceOf(SessionStoreUnavailableError);
    expect(failedAfterMs).toBeLessThan(350);
    expect(await fixture.client.exists(key)).toBe(0);
    expect(
      await fixture.store.list(userId, { nowMs: Date.now(), idleTimeoutMs: 30 * MINUTE }),
    ).toEqual([]);
    slow.disconnect();
  });

  it('reports a connection failure as SessionStoreUnavailableError', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const store = new RedisSessionStore(dead, fixture.prefix);
    await expect(store.generation('anyone')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    dead.disconnect();
  });
});
