import type { SessionAddress } from '../token/session-token.js';
import type {
  SessionClock,
  SessionCreateResult,
  SessionDataChange,
  SessionLimit,
  SessionReadResult,
  StoredSession,
  StoredSessionSummary,
} from './stored-session.js';

/** How a new session is stored. */
export interface SessionCreateOptions {
  /** Lifetime before the first touch. */
  readonly ttlMs: number;
  /** Clock used to drop the user's dead sessions while indexing this one. */
  readonly clock: Pick<SessionClock, 'nowMs' | 'idleTimeoutMs'>;
  readonly limit?: SessionLimit;
  /** Refuse the session if the user's generation is no longer this (see `generation()`). */
  readonly expectedGeneration?: string;
}

/**
 * Where sessions are kept: the contract and the DI token at once. It never sees a raw token,
 * only `SessionAddress`es (shard + digest). Every method rejects with
 * `SessionStoreUnavailableError` when the backend cannot answer; "not found" is never an error.
 * Operations on one user's sessions cost work in proportion to that user's sessions only.
 *
 * @publicApi
 */
export abstract class SessionStore {
  /**
   * Reads a session, enforcing idle and absolute expiry against `clock` (an expired session is
   * deleted) and refreshing last-seen and the idle deadline when the touch interval has passed.
   */
  abstract read(address: SessionAddress, clock: SessionClock): Promise<SessionReadResult>;

  /** Stores a new session and indexes it under its user, applying the per-user limit. */
  abstract create(
    address: SessionAddress,
    session: StoredSession,
    options: SessionCreateOptions,
  ): Promise<SessionCreateResult>;

  /**
   * Applies a data change to an existing session. Resolves `false`, writing nothing, when the
   * session no longer exists: a late save can never bring back a revoked session.
   */
  abstract save(address: SessionAddress, change: SessionDataChange): Promise<boolean>;

  /**
   * Moves a session to a new address atomically, clearing a pending rotation and optionally
   * elevating it: the old address holds no session when this resolves. What the old address
   * answers for a while, for requests the client already sent with the old cookie:
   * - with `forwardOldMs`, reads and saves follow to the new address for that long;
   * - with `supersedeOldMs` (and no forward), reads report `superseded` for that long; reads
   *   and saves do not follow, but `take()` takes the new session too (a logout that raced
   *   the rotation);
   * - otherwise `missing` at once.
   * Resolves `false` when the old session no longer exists. Both addresses must have the same
   * shard.
   */
  abstract rotate(
    from: SessionAddress,
    to: SessionAddress,
    change?: {
      readonly elevatedUntil?: number;
      readonly forwardOldMs?: number;
      readonly supersedeOldMs?: number;
    },
  ): Promise<boolean>;

  /**
   * Deletes a session atomically and returns what it held, or `null` if it was not there. At
   * the old address of a rotation (a forward or a superseded mark) it takes the session the
   * rotation moved to. With `supersedeMs`, reads of the address report `superseded` for that
   * long after a session was taken (a login replacing it); that mark leads to no session.
   */
  abstract take(
    address: SessionAddress,
    options?: { readonly supersedeMs?: number },
  ): Promise<StoredSession | null>;

  /** The user's live sessions, in no particular order. */
  abstract list(
    userId: string,
    clock: Pick<SessionClock, 'nowMs' | 'idleTimeoutMs'>,
  ): Promise<StoredSessionSummary[]>;

  /** Revokes one of the user's sessions; `false` if the user has no session with that id. */
  abstract revoke(userId: string, publicId: string): Promise<boolean>;

  /**
   * Revokes every session of the user except `except`, and moves the user's generation so that
   * logins in flight are refused. Resolves the revoked public ids.
   */
  abstract revokeAll(userId: string, options?: { readonly except?: string }): Promise<string[]>;

  /**
   * Sets the roles on every live session of the user and marks each for rotation; moves the
   * user's generation, so a login that read the user before this is refused.
   */
  abstract updateUser(
    userId: string,
    change: { readonly roles: readonly string[] },
  ): Promise<number>;

  /** The user's revocation generation: read it before checking credentials, pass it to create. */
  abstract generation(userId: string): Promise<string>;
}
