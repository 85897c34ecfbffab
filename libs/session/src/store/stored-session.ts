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
  readonly data: Readonly<Record<string, string>>;
}

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

/** Result of a read: found (touched when due), never existed, or expired just now. */
export type SessionReadResult =
  | { readonly status: 'found'; readonly session: StoredSession }
  | { readonly status: 'missing' }
  | { readonly status: 'expired' };
