import type { SessionAddress } from '../token/session-token.js';
import type {
  SessionClock,
  SessionDataChange,
  SessionReadResult,
  StoredSession,
} from './stored-session.js';

/**
 * Where sessions are kept: the contract and the DI token at once. It never sees a raw token,
 * only `SessionAddress`es (shard + digest). Every method rejects with
 * `SessionStoreUnavailableError` when the backend cannot answer; "not found" is never an error.
 *
 * @publicApi
 */
export abstract class SessionStore {
  /**
   * Reads a session, enforcing idle and absolute expiry against `clock` (an expired session is
   * deleted) and refreshing last-seen and the idle deadline when the touch interval has passed.
   */
  abstract read(address: SessionAddress, clock: SessionClock): Promise<SessionReadResult>;

  /** Stores a new session that lives `ttlMs` unless touched; indexes it under its user. */
  abstract create(address: SessionAddress, session: StoredSession, ttlMs: number): Promise<void>;

  /**
   * Applies a data change to an existing session. Resolves `false`, writing nothing, when the
   * session no longer exists: a late save can never bring back a revoked session.
   */
  abstract save(address: SessionAddress, change: SessionDataChange): Promise<boolean>;

  /**
   * Moves a session to a new address atomically: the old address is dead when this resolves.
   * Resolves `false` when the old session no longer exists (for example, another request
   * rotated it first). Both addresses must have the same shard.
   */
  abstract rotate(from: SessionAddress, to: SessionAddress): Promise<boolean>;

  /** Deletes a session atomically and returns what it held, or `null` if it was not there. */
  abstract take(address: SessionAddress): Promise<StoredSession | null>;
}
