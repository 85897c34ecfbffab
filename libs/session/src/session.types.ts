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
  /** Roles given at login or by `SessionService.updateUser()`; empty when anonymous. */
  readonly roles: readonly string[];
  /** Step-up ("sudo mode") lasts until then; `null` when not elevated. */
  readonly elevatedUntil: Date | null;
  /**
   * The synchronizer token to send in the `csrf.headerName` header of unsafe requests (embed it
   * in the page). `null` when `csrf.synchronizerToken` is off or the session is not stored yet
   * (an anonymous session is stored after the handler that first writes to it: its token comes
   * with the next request).
   * Every read gives a differently masked form (a BREACH defence); all are valid for the life
   * of the session, across token rotations (`rotate()`, `elevate()`, a role or password
   * change). A login makes a new session, hence a new one.
   */
  readonly csrfToken: string | null;
}

/** One of a user's sessions, as `SessionService.list()` shows it. */
export interface SessionInfo {
  /** Public session id (what `revoke()` takes). */
  readonly id: string;
  /** This is the session of the request that asked. */
  readonly current: boolean;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly elevatedUntil: Date | null;
  /** Client address when the session was created (honours the app's trust-proxy setting). */
  readonly ip: string;
  /** User agent when the session was created, at most 512 characters. */
  readonly userAgent: string;
  readonly device: { readonly browser: string; readonly os: string; readonly type: string };
}

/** What `SessionService.establish()` needs to know about the user who just authenticated. */
export interface SessionPrincipal {
  /** The user's stable id. Must be a non-empty string without control characters. */
  userId: string;
  /** The user's roles, readable as `session.roles` and by `@RequireRoles()`. */
  roles?: readonly string[];
  /**
   * The user's revocation generation read with `SessionService.generation()` BEFORE the
   * credentials were checked. If a revoke-all (password change, admin action) ran in between,
   * the login is refused instead of creating a session that outlives the revocation.
   */
  generation?: string;
}
