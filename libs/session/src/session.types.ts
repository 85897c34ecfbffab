/**
 * A web session as a request handler sees it.
 *
 * `data` is a plain object the handler may change; the changes are saved once after the
 * handler returns, and only the top-level keys that actually changed are written.
 *
 * @publicApi
 */
export interface Session<T extends object = Record<string, unknown>> {
  /** Public session id: safe to show and log; it is not the cookie token. */
  readonly id: string;
  /** The authenticated user's id, or `null` for an anonymous session. */
  readonly userId: string | null;
  /** Application data stored with the session. */
  data: T;
  /** When the session was created (first stored). */
  readonly createdAt: Date;
  /** When the session was last seen, updated at most once per touch interval. */
  readonly lastSeenAt: Date;
  /** When the session expires unless it is used again (the sooner of idle and absolute). */
  readonly expiresAt: Date;
  /** When the session expires regardless of activity. */
  readonly absoluteExpiresAt: Date;
  /** `false` for a session that exists only in this request: nothing is stored for it yet. */
  readonly isPersisted: boolean;
}

/** What `SessionService.establish()` needs to know about the user who just authenticated. */
export interface SessionPrincipal {
  /** The user's stable id. Must be a non-empty string without control characters. */
  userId: string;
}
