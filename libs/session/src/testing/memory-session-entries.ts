import type { SessionClock, StoredSession } from '../store/stored-session.js';
import type { ShardTag, TokenDigest } from '../token/session-token.js';

/*
 * What MemorySessionStore keeps, shaped like the Redis keys RedisSessionStore writes (see
 * redis-keys.ts), and the helpers that read it.
 */

export type ListClock = Pick<SessionClock, 'nowMs' | 'idleTimeoutMs'>;

/**
 * What Redis holds at a session key: a session, or what a rotation or a login left at the old
 * address for a few seconds (a forward, or the mark that the token was superseded).
 */
export type Entry =
  | { readonly kind: 'session'; session: StoredSession; expiresAt: number }
  | { readonly kind: 'forward'; readonly to: TokenDigest; readonly expiresAt: number }
  /** `by`: the session a rotation moved to, which only `take` follows; none after a take. */
  | { readonly kind: 'superseded'; readonly by?: TokenDigest; readonly expiresAt: number };
export type SessionEntry = Extract<Entry, { kind: 'session' }>;

/** A user's index: public id -> digest, and the revocation generation. */
export interface UserIndex {
  readonly sessions: Map<string, TokenDigest>;
  generation: number;
  expiresAt: number;
}

/** Shard tags have a fixed length and no ':', so two different pairs never share a key. */
export function keyOf(shard: ShardTag, rest: string): string {
  return `${shard}:${rest}`;
}

export function isDead(session: StoredSession, clock: ListClock): boolean {
  return (
    clock.nowMs >= session.absoluteExpiresAt ||
    clock.nowMs >= session.lastSeenAt + clock.idleTimeoutMs
  );
}

// Data keys are the application's: "__proto__" must stay an ordinary key.
export function nullPrototype(entries: Iterable<[string, string]>): Record<string, string> {
  const data = Object.create(null) as Record<string, string>;
  for (const [key, value] of entries) data[key] = value;
  return data;
}

/** A copy no caller can change the store through; a device with no IP and no agent is none. */
export function copy(session: StoredSession): StoredSession {
  const { device } = session;
  return {
    ...session,
    roles: [...session.roles],
    device: device !== null && (device.ip || device.userAgent) ? { ...device } : null,
    data: nullPrototype(Object.entries(session.data)),
  };
}
