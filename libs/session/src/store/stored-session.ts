import type { TokenDigest } from '../token/session-token.js';

/**
 * A session as the store keeps it. Times are epoch milliseconds. `data` holds each top-level key
 * of the application's data as its own JSON string, so a change to one key writes one field.
 */
export interface StoredSession {
  readonly publicId: string;
  readonly userId: string | null;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
  /** Roles of the user, kept on each session so a read needs no second key. */
  readonly roles: readonly string[];
  /** Step-up ("sudo mode") lasts until this time; `null` when never elevated. */
  readonly elevatedUntil: number | null;
  /** Client seen when the session was created. */
  readonly device: SessionDeviceRecord | null;
  /** Someone changed the user (roles, credentials): the next response must rotate the token. */
  readonly rotationDue: boolean;
  /**
   * Secret behind the session's synchronizer (CSRF) token; only sessions created while
   * `csrf.synchronizerToken` is on have one. Never sent to the client.
   */
  readonly csrfSecret?: string;
  readonly data: Readonly<Record<string, string>>;
}

/** Client metadata recorded at creation, already truncated. */
export interface SessionDeviceRecord {
  readonly ip: string;
  readonly userAgent: string;
}

/** One live session of a user as the store lists it (no data, no digest). */
export interface StoredSessionSummary {
  readonly publicId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
  readonly elevatedUntil: number | null;
  readonly device: SessionDeviceRecord | null;
}

/** Per-user limit applied when a session is created. */
export interface SessionLimit {
  readonly maxSessions: number;
  /** `evict-least-recently-used` drops the session seen longest ago; `refuse` rejects the new one. */
  readonly policy: 'evict-least-recently-used' | 'refuse';
}

/** Why a create was not applied. */
export type SessionCreateResult =
  | { readonly status: 'created'; readonly evicted: readonly string[] }
  | { readonly status: 'limit-reached' }
  | { readonly status: 'revoked-meanwhile' };

/** The fields of `session.data` to write and to remove, already serialised. */
export interface SessionDataChange {
  readonly set: Readonly<Record<string, string>>;
  readonly unset: readonly string[];
}

/** The clock and the expiry policy, handed in by the service so the rules live in one place. */
export interface SessionClock {
  readonly nowMs: number;
  readonly idleTimeoutMs: number;
  readonly touchIntervalMs: number;
}

/** Result of a read: found (touched when due), never existed, expired just now, or superseded. */
export type SessionReadResult =
  | {
      readonly status: 'found';
      readonly session: StoredSession;
      /**
       * Set when the address was rotated away moments ago by a concurrent request of the same
       * client: the session now lives under this digest, and the client already has (or is
       * about to get) the new cookie.
       */
      readonly forwardedTo?: TokenDigest;
    }
  | { readonly status: 'missing' }
  | { readonly status: 'expired'; readonly sessionId: string; readonly userId: string | null }
  /**
   * The token was replaced moments ago by a login or a step-up of the same client (see
   * `SessionStore.rotate`'s `supersedeOldMs`): no session here, but the client may already hold
   * the new cookie, so the old one must not be cleared.
   */
  | { readonly status: 'superseded' };
