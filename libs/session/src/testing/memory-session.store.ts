import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { SessionStore, type SessionCreateOptions } from '../store/session-store.js';
import type {
  SessionClock,
  SessionCreateResult,
  SessionDataChange,
  SessionReadResult,
  StoredSession,
  StoredSessionSummary,
} from '../store/stored-session.js';
import {
  shardOfUser,
  type SessionAddress,
  type ShardTag,
  type TokenDigest,
} from '../token/session-token.js';
import { wholeMilliseconds } from '../store/whole-milliseconds.js';
import { ExpiringMap } from './expiring-map.js';
import {
  copy,
  isDead,
  keyOf,
  nullPrototype,
  type Entry,
  type ListClock,
  type SessionEntry,
  type UserIndex,
} from './memory-session-entries.js';

/** Options of a MemorySessionStore. @publicApi */
export interface MemorySessionStoreOptions {
  /**
   * How long a session is kept past its deadline, so that a late read reports it as expired
   * rather than unknown; as `RedisSessionStoreOptions.expiryGraceMs`.
   * @default 60000
   */
  readonly expiryGraceMs?: number;
}

const DEFAULT_EXPIRY_GRACE_MS = 60_000;
// As in RedisSessionStore: a moved generation outlives the sessions it revoked by at least this.
const MIN_INDEX_TTL_MS = 3_600_000;

/**
 * SessionStore in process memory with the semantics of RedisSessionStore: the same answers to
 * the same calls (both run one contract suite), key TTLs on the wall clock (`Date.now()`, so fake
 * timers move them), and a user index, generation, limits, rotation forwards and superseded
 * marks kept the same way. Every operation is atomic. For tests and single-process development: sessions are lost on
 * restart and not shared between processes.
 *
 * @example
 * providers: [{ provide: SessionStore, useValue: new MemorySessionStore() }]
 *
 * @publicApi
 */
export class MemorySessionStore extends SessionStore {
  // Keys as in Redis: `<shard>:<digest>` for sessions, `<shard>:<user id>` for user indexes.
  private readonly entries = new ExpiringMap<Entry>();
  private readonly indexes = new ExpiringMap<UserIndex>();
  private readonly graceMs: number;

  constructor(options: MemorySessionStoreOptions = {}) {
    super();
    this.graceMs = options.expiryGraceMs ?? DEFAULT_EXPIRY_GRACE_MS;
  }

  read(address: SessionAddress, clock: SessionClock): Promise<SessionReadResult> {
    return settle((): SessionReadResult => {
      const found = this.resolve(address);
      if (found === null) return { status: this.isSuperseded(address) ? 'superseded' : 'missing' };
      const { key, entry, forwardedTo } = found;
      const { session } = entry;
      if (isDead(session, clock)) {
        this.entries.delete(key);
        return { status: 'expired', sessionId: session.publicId, userId: session.userId || null };
      }
      if (clock.nowMs - session.lastSeenAt >= clock.touchIntervalMs) {
        entry.session = { ...session, lastSeenAt: clock.nowMs };
        const ttlMs = Math.min(clock.idleTimeoutMs, session.absoluteExpiresAt - clock.nowMs);
        entry.expiresAt = Date.now() + ttlMs + this.graceMs;
      }
      const copied = copy(entry.session);
      return forwardedTo === undefined
        ? { status: 'found', session: copied }
        : { status: 'found', session: copied, forwardedTo };
    });
  }

  create(
    address: SessionAddress,
    session: StoredSession,
    options: SessionCreateOptions,
  ): Promise<SessionCreateResult> {
    return settle((): SessionCreateResult => {
      const key = keyOf(address.shard, address.digest);
      if (this.entries.get(key) !== undefined) {
        throw new SessionStoreUnavailableError({ cause: new Error('session id collision') });
      }
      let evicted: string[] = [];
      if (session.userId !== null) {
        const index = this.indexes.get(keyOf(address.shard, session.userId));
        const expected = options.expectedGeneration ?? '';
        if (expected !== '' && String(index?.generation ?? 0) !== expected) {
          return { status: 'revoked-meanwhile' };
        }
        const alive = this.liveSessions(address.shard, index, options.clock);
        const max = options.limit?.maxSessions ?? 0;
        if (max > 0 && alive.length >= max) {
          if (options.limit?.policy === 'refuse') return { status: 'limit-reached' };
          alive.sort((a, b) => a.session.lastSeenAt - b.session.lastSeenAt);
          evicted = alive.slice(0, alive.length - max + 1).map((victim) => {
            this.entries.delete(victim.key);
            index?.sessions.delete(victim.session.publicId);
            return victim.session.publicId;
          });
        }
        const indexTtlMs = Math.max(
          session.absoluteExpiresAt - session.lastSeenAt + this.graceMs,
          options.ttlMs + this.graceMs,
          MIN_INDEX_TTL_MS,
        );
        this.indexFor(address.shard, session.userId, indexTtlMs).sessions.set(
          session.publicId,
          address.digest,
        );
      }
      const expiresAt = Date.now() + options.ttlMs + this.graceMs;
      this.entries.set(key, { kind: 'session', session: copy(session), expiresAt });
      return { status: 'created', evicted };
    });
  }

  save(address: SessionAddress, change: SessionDataChange): Promise<boolean> {
    return settle(() => {
      const found = this.resolve(address);
      if (found === null) return false;
      const data = nullPrototype(Object.entries(found.entry.session.data));
      for (const [field, value] of Object.entries(change.set)) data[field] = value;
      for (const field of change.unset) delete data[field];
      found.entry.session = { ...found.entry.session, data };
      return true;
    });
  }

  rotate(
    from: SessionAddress,
    to: SessionAddress,
    change?: {
      readonly elevatedUntil?: number;
      readonly forwardOldMs?: number;
      readonly supersedeOldMs?: number;
    },
  ): Promise<boolean> {
    return settle(() => {
      if (from.shard !== to.shard) {
        throw new Error('rotate() needs two addresses of the same shard');
      }
      const forwardOldMs = wholeMilliseconds('forwardOldMs', change?.forwardOldMs);
      const supersedeOldMs = wholeMilliseconds('supersedeOldMs', change?.supersedeOldMs);
      const fromKey = keyOf(from.shard, from.digest);
      const toKey = keyOf(to.shard, to.digest);
      const entry = this.entries.get(fromKey);
      if (entry?.kind !== 'session' || this.entries.get(toKey) !== undefined) return false;
      this.entries.delete(fromKey);
      const session: StoredSession = {
        ...entry.session,
        rotationDue: false,
        elevatedUntil: change?.elevatedUntil ?? entry.session.elevatedUntil,
      };
      this.entries.set(toKey, { kind: 'session', session, expiresAt: entry.expiresAt });
      if (session.userId !== null) {
        const index = this.indexes.get(keyOf(from.shard, session.userId));
        index?.sessions.set(session.publicId, to.digest);
      }
      if (forwardOldMs > 0) {
        const expiresAt = Date.now() + forwardOldMs;
        this.entries.set(fromKey, { kind: 'forward', to: to.digest, expiresAt });
      } else {
        this.markSuperseded(fromKey, supersedeOldMs, to.digest);
      }
      return true;
    });
  }

  take(
    address: SessionAddress,
    options?: { readonly supersedeMs?: number },
  ): Promise<StoredSession | null> {
    return settle(() => {
      const supersedeMs = wholeMilliseconds('supersedeMs', options?.supersedeMs);
      const key = keyOf(address.shard, address.digest);
      const entry = this.entries.get(key);
      // The old address of a rotation: take the session it moved to, as Redis does.
      const found =
        entry?.kind === 'forward'
          ? this.resolve(address)
          : entry?.kind === 'superseded' && entry.by !== undefined
            ? this.sessionAt(keyOf(address.shard, entry.by))
            : undefined;
      const taken = entry?.kind === 'session' ? entry : found?.entry;
      // A mark through which nothing is taken stays, as in Redis.
      if (taken === undefined && entry?.kind === 'superseded') return null;
      this.entries.delete(key);
      if (found) this.entries.delete(found.key);
      if (taken?.kind !== 'session') return null;
      const { session } = taken;
      if (session.userId !== null) {
        this.indexes.get(keyOf(address.shard, session.userId))?.sessions.delete(session.publicId);
      }
      this.markSuperseded(key, supersedeMs);
      return copy(session);
    });
  }

  list(userId: string, clock: ListClock): Promise<StoredSessionSummary[]> {
    return settle(() => {
      const shard = shardOfUser(userId);
      const index = this.indexes.get(keyOf(shard, userId));
      return this.liveSessions(shard, index, clock).map(({ session }) => ({
        publicId: session.publicId,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        absoluteExpiresAt: session.absoluteExpiresAt,
        elevatedUntil: session.elevatedUntil,
        device: session.device && { ...session.device },
      }));
    });
  }

  revoke(userId: string, publicId: string): Promise<boolean> {
    return settle(() => {
      const shard = shardOfUser(userId);
      const index = this.indexes.get(keyOf(shard, userId));
      const digest = index?.sessions.get(publicId);
      if (digest === undefined) return false;
      index?.sessions.delete(publicId);
      return this.entries.delete(keyOf(shard, digest));
    });
  }

  revokeAll(userId: string, options?: { readonly except?: string }): Promise<string[]> {
    return settle(() => {
      const shard = shardOfUser(userId);
      const index = this.indexFor(shard, userId, MIN_INDEX_TTL_MS);
      const revoked: string[] = [];
      for (const [publicId, digest] of index.sessions) {
        if (publicId === (options?.except ?? '')) continue;
        if (this.entries.delete(keyOf(shard, digest))) revoked.push(publicId);
        index.sessions.delete(publicId);
      }
      index.generation += 1;
      return revoked;
    });
  }

  updateUser(userId: string, change: { readonly roles: readonly string[] }): Promise<number> {
    return settle(() => {
      const shard = shardOfUser(userId);
      const index = this.indexFor(shard, userId, MIN_INDEX_TTL_MS);
      let updated = 0;
      for (const [publicId, digest] of index.sessions) {
        const entry = this.entries.get(keyOf(shard, digest));
        if (entry === undefined) index.sessions.delete(publicId);
        else updated += 1;
        if (entry?.kind === 'session') {
          entry.session = { ...entry.session, roles: [...change.roles], rotationDue: true };
        }
      }
      index.generation += 1;
      return updated;
    });
  }

  generation(userId: string): Promise<string> {
    return settle(() => {
      const index = this.indexes.get(keyOf(shardOfUser(userId), userId));
      return String(index?.generation ?? 0);
    });
  }

  /** Where an address leads: its own session, or the one a rotation forward points to. */
  private resolve(
    address: SessionAddress,
  ): { key: string; entry: SessionEntry; forwardedTo?: TokenDigest } | null {
    const key = keyOf(address.shard, address.digest);
    const entry = this.entries.get(key);
    if (entry?.kind === 'session') return { key, entry };
    if (entry?.kind !== 'forward') return null;
    const targetKey = keyOf(address.shard, entry.to);
    const target = this.entries.get(targetKey);
    return target?.kind === 'session'
      ? { key: targetKey, entry: target, forwardedTo: entry.to }
      : null;
  }

  // A mark at the address, or at the end of the forward there (the session moved on again).
  private isSuperseded(address: SessionAddress): boolean {
    const entry = this.entries.get(keyOf(address.shard, address.digest));
    const target =
      entry?.kind === 'forward' ? this.entries.get(keyOf(address.shard, entry.to)) : entry;
    return target?.kind === 'superseded';
  }

  private markSuperseded(key: string, forMs: number, by?: TokenDigest): void {
    if (forMs <= 0) return;
    const expiresAt = Date.now() + forMs;
    this.entries.set(
      key,
      by === undefined ? { kind: 'superseded', expiresAt } : { kind: 'superseded', by, expiresAt },
    );
  }

  private sessionAt(key: string): { key: string; entry: SessionEntry } | undefined {
    const entry = this.entries.get(key);
    return entry?.kind === 'session' ? { key, entry } : undefined;
  }

  /** The user's index, created if absent, living at least `ttlMs` from now. */
  private indexFor(shard: ShardTag, userId: string, ttlMs: number): UserIndex {
    const key = keyOf(shard, userId);
    const index = this.indexes.get(key) ?? { sessions: new Map(), generation: 0, expiresAt: 0 };
    index.expiresAt = Math.max(index.expiresAt, Date.now() + ttlMs);
    this.indexes.set(key, index);
    return index;
  }

  /** Sessions of `index` alive at `clock`; removes dead ones and their index entries. */
  private liveSessions(shard: ShardTag, index: UserIndex | undefined, clock: ListClock) {
    const alive: Array<{ key: string; session: StoredSession }> = [];
    for (const [publicId, digest] of index?.sessions ?? []) {
      const key = keyOf(shard, digest);
      const entry = this.entries.get(key);
      if (entry?.kind === 'session' && !isDead(entry.session, clock)) {
        alive.push({ key, session: entry.session });
        continue;
      }
      // A forward is left to its own short TTL, as in Redis; a dead session goes now.
      if (entry?.kind === 'session') this.entries.delete(key);
      index?.sessions.delete(publicId);
    }
    return alive;
  }
}

// A synchronous operation as a promise: a throw becomes a rejection, as with a Redis store.
function settle<T>(operation: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(operation()));
}
