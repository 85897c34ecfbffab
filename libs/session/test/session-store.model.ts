import { SessionStore, type SessionCreateOptions } from '../src/store/session-store.js';
import type {
  SessionClock,
  SessionCreateResult,
  SessionDataChange,
  SessionReadResult,
  StoredSession,
  StoredSessionSummary,
} from '../src/store/stored-session.js';
import type { SessionAddress } from '../src/token/session-token.js';

type ListClock = Pick<SessionClock, 'nowMs' | 'idleTimeoutMs'>;

/** The key of a session in the model: where it lives, as in Redis, but without a prefix. */
export const modelKey = (address: SessionAddress) => `${address.shard}:${address.digest}`;

/**
 * The SessionStore contract as plain Maps, for the model-based test: what a reader of the
 * contract would expect, written without Redis in mind. Expiry is by the clock handed in:
 * idle (`now >= lastSeen + idle`) and absolute (`now >= absoluteExpiresAt`). A session dead by
 * the clock stays stored until an operation that takes a clock (read, list, create of one of the
 * user's sessions) meets it, as in Redis; operations without a clock see it as stored.
 * A user's sessions are those whose `userId` is the user: no separate index to keep in sync.
 */
export class SessionStoreModel extends SessionStore {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly generations = new Map<string, number>();
  /**
   * Superseded marks by `modelKey`: the digest a rotation moved the session to, or '' after a
   * take. The model-based test gives them an hour, so they never run out during a run.
   */
  private readonly marks = new Map<string, string>();

  /** Every stored session by `modelKey`, to compare with what Redis holds. */
  get stored(): ReadonlyMap<string, StoredSession> {
    return this.sessions;
  }

  read(address: SessionAddress, clock: SessionClock): Promise<SessionReadResult> {
    const key = modelKey(address);
    const session = this.sessions.get(key);
    if (session === undefined) {
      return Promise.resolve({ status: this.marks.has(key) ? 'superseded' : 'missing' });
    }
    if (isDead(session, clock)) {
      this.sessions.delete(key);
      return Promise.resolve({
        status: 'expired',
        sessionId: session.publicId,
        userId: session.userId,
      });
    }
    if (clock.nowMs - session.lastSeenAt >= clock.touchIntervalMs) {
      this.sessions.set(key, { ...session, lastSeenAt: clock.nowMs });
    }
    return Promise.resolve({ status: 'found', session: copy(this.sessions.get(key)!) });
  }

  create(
    address: SessionAddress,
    session: StoredSession,
    options: SessionCreateOptions,
  ): Promise<SessionCreateResult> {
    const key = modelKey(address);
    if (this.sessions.has(key)) throw new Error('model: address already in use');
    const evicted: string[] = [];
    if (session.userId !== null) {
      const expected = options.expectedGeneration ?? '';
      if (expected !== '' && expected !== this.generation_(session.userId)) {
        return Promise.resolve({ status: 'revoked-meanwhile' });
      }
      const alive = this.liveSessionsOf(session.userId, options.clock);
      const max = options.limit?.maxSessions ?? 0;
      if (max > 0 && alive.length >= max) {
        if (options.limit?.policy === 'refuse') return Promise.resolve({ status: 'limit-reached' });
        alive.sort(([, a], [, b]) => a.lastSeenAt - b.lastSeenAt);
        for (const [victimKey, victim] of alive.slice(0, alive.length - max + 1)) {
          this.sessions.delete(victimKey);
          evicted.push(victim.publicId);
        }
      }
    }
    this.sessions.set(key, copy(session));
    return Promise.resolve({ status: 'created', evicted });
  }

  save(address: SessionAddress, change: SessionDataChange): Promise<boolean> {
    const key = modelKey(address);
    const session = this.sessions.get(key);
    if (session === undefined) return Promise.resolve(false);
    const data = nullPrototype(Object.entries(session.data));
    for (const [field, value] of Object.entries(change.set)) data[field] = value;
    for (const field of change.unset) delete data[field];
    this.sessions.set(key, { ...session, data });
    return Promise.resolve(true);
  }

  rotate(
    from: SessionAddress,
    to: SessionAddress,
    change?: { readonly elevatedUntil?: number; readonly supersedeOldMs?: number },
  ): Promise<boolean> {
    const session = this.sessions.get(modelKey(from));
    if (session === undefined || this.sessions.has(modelKey(to))) return Promise.resolve(false);
    this.sessions.delete(modelKey(from));
    if ((change?.supersedeOldMs ?? 0) > 0) this.marks.set(modelKey(from), to.digest);
    this.sessions.set(modelKey(to), {
      ...session,
      rotationDue: false,
      elevatedUntil: change?.elevatedUntil ?? session.elevatedUntil,
    });
    return Promise.resolve(true);
  }

  /** At a mark, the session the rotation moved to; a mark through which nothing is taken stays. */
  take(
    address: SessionAddress,
    options?: { readonly supersedeMs?: number },
  ): Promise<StoredSession | null> {
    const key = modelKey(address);
    const by = this.marks.get(key);
    const takenKey = this.sessions.has(key)
      ? key
      : by
        ? modelKey({ shard: address.shard, digest: by as SessionAddress['digest'] })
        : undefined;
    const session = takenKey === undefined ? undefined : this.sessions.get(takenKey);
    if (session === undefined) return Promise.resolve(null);
    this.sessions.delete(takenKey!);
    this.marks.delete(key);
    if ((options?.supersedeMs ?? 0) > 0) this.marks.set(key, '');
    return Promise.resolve(copy(session));
  }

  list(userId: string, clock: ListClock): Promise<StoredSessionSummary[]> {
    return Promise.resolve(
      this.liveSessionsOf(userId, clock).map(([, session]) => ({
        publicId: session.publicId,
        createdAt: session.createdAt,
        lastSeenAt: session.lastSeenAt,
        absoluteExpiresAt: session.absoluteExpiresAt,
        elevatedUntil: session.elevatedUntil,
        device: session.device,
      })),
    );
  }

  revoke(userId: string, publicId: string): Promise<boolean> {
    const found = this.sessionsOf(userId).find(([, session]) => session.publicId === publicId);
    if (found !== undefined) this.sessions.delete(found[0]);
    return Promise.resolve(found !== undefined);
  }

  revokeAll(userId: string, options?: { readonly except?: string }): Promise<string[]> {
    const revoked: string[] = [];
    for (const [key, session] of this.sessionsOf(userId)) {
      if (session.publicId === options?.except) continue;
      this.sessions.delete(key);
      revoked.push(session.publicId);
    }
    this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
    return Promise.resolve(revoked);
  }

  updateUser(userId: string, change: { readonly roles: readonly string[] }): Promise<number> {
    const mine = this.sessionsOf(userId);
    for (const [key, session] of mine) {
      this.sessions.set(key, { ...session, roles: [...change.roles], rotationDue: true });
    }
    // A login that read the user before this change must not store the old roles.
    this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
    return Promise.resolve(mine.length);
  }

  generation(userId: string): Promise<string> {
    return Promise.resolve(this.generation_(userId));
  }

  private generation_(userId: string): string {
    return String(this.generations.get(userId) ?? 0);
  }

  private sessionsOf(userId: string): Array<[string, StoredSession]> {
    return [...this.sessions].filter(([, session]) => session.userId === userId);
  }

  /** The user's sessions alive at `clock`, deleting the dead ones met on the way. */
  private liveSessionsOf(userId: string, clock: ListClock): Array<[string, StoredSession]> {
    return this.sessionsOf(userId).filter(([key, session]) => {
      if (!isDead(session, clock)) return true;
      this.sessions.delete(key);
      return false;
    });
  }
}

function isDead(session: StoredSession, clock: ListClock): boolean {
  return (
    clock.nowMs >= session.absoluteExpiresAt ||
    clock.nowMs >= session.lastSeenAt + clock.idleTimeoutMs
  );
}

// Data keys are the application's: "__proto__" must stay an ordinary key.
function nullPrototype(entries: Iterable<[string, string]>): Record<string, string> {
  const data = Object.create(null) as Record<string, string>;
  for (const [key, value] of entries) data[key] = value;
  return data;
}

function copy(session: StoredSession): StoredSession {
  return {
    ...session,
    roles: [...session.roles],
    device: session.device && { ...session.device },
    data: nullPrototype(Object.entries(session.data)),
  };
}
