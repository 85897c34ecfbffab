import { issueCsrfToken, verifyCsrfToken } from '../csrf/csrf-token.js';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import type { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { Session } from '../session.types.js';
import type { SessionDeviceRecord, StoredSession } from '../store/stored-session.js';
import type { SessionAddress, SessionToken } from '../token/session-token.js';

/**
 * The Session a handler receives, plus what the library tracks about it during one request.
 * Application code sees it only through the `Session` interface.
 */
export class RequestSession<T extends object = Record<string, unknown>> implements Session<T> {
  data: T;
  /** Where the session is stored; `null` while it exists only in this request. */
  address: SessionAddress | null;
  /** Serialised data as last read or written, to find what the handler changed. */
  snapshot: Readonly<Record<string, string>>;
  /** A token issued during this request; the response carries it in Set-Cookie. */
  issuedToken: SessionToken | null = null;
  /** The request's cookie names no live session and the browser should drop it. */
  clearCookie: boolean;
  /**
   * The request's cookie was replaced moments ago by a login or step-up of the same client,
   * whose response set the new one: this anonymous session must not set a cookie of its own.
   */
  superseded = false;
  /** Redis failed during a SessionService call for this session (the response says Retry-After). */
  storeFailure: SessionStoreUnavailableError | undefined = undefined;
  private stored: StoredSession;
  private clientRecord: SessionDeviceRecord | undefined;

  private constructor(
    stored: StoredSession,
    address: SessionAddress | null,
    data: T,
    private readonly idleTimeoutMs: number,
    clearCookie: boolean,
    private readonly readClient: () => SessionDeviceRecord,
  ) {
    this.stored = stored;
    this.address = address;
    this.data = data;
    this.snapshot = stored.data;
    this.clearCookie = clearCookie;
  }

  /** A session for a visitor with no live session: nothing is stored until data is written. */
  static anonymous<T extends object>(
    stored: StoredSession,
    idleTimeoutMs: number,
    clearCookie: boolean,
    readClient: () => SessionDeviceRecord,
  ): RequestSession<T> {
    return new RequestSession<T>(stored, null, {} as T, idleTimeoutMs, clearCookie, readClient);
  }

  static loaded<T extends object>(
    stored: StoredSession,
    address: SessionAddress,
    data: T,
    idleTimeoutMs: number,
    readClient: () => SessionDeviceRecord,
  ): RequestSession<T> {
    return new RequestSession<T>(stored, address, data, idleTimeoutMs, false, readClient);
  }

  /** The internal view of a Session handed back by application code. */
  static of(session: Session<object>): RequestSession {
    if (!(session instanceof RequestSession))
      throw new TypeError(SessionErrorMessages.notARequestSession);
    return session as RequestSession;
  }

  /** The client making this request (recorded on sessions it creates), read on first use. */
  get client(): SessionDeviceRecord {
    return (this.clientRecord ??= this.readClient());
  }

  get id(): string {
    return this.stored.publicId;
  }
  get userId(): string | null {
    return this.stored.userId;
  }
  get createdAt(): Date {
    return new Date(this.stored.createdAt);
  }
  get lastSeenAt(): Date {
    return new Date(this.stored.lastSeenAt);
  }
  get absoluteExpiresAt(): Date {
    return new Date(this.stored.absoluteExpiresAt);
  }
  get expiresAt(): Date {
    return new Date(
      Math.min(this.stored.lastSeenAt + this.idleTimeoutMs, this.stored.absoluteExpiresAt),
    );
  }
  get isPersisted(): boolean {
    return this.address !== null;
  }
  get roles(): readonly string[] {
    return this.stored.roles;
  }
  get elevatedUntil(): Date | null {
    const until = this.stored.elevatedUntil;
    return until !== null && until > Date.now() ? new Date(until) : null;
  }
  get csrfToken(): string | null {
    const secret = this.stored.csrfSecret;
    return secret === undefined || this.address === null
      ? null
      : issueCsrfToken(secret, this.address.digest);
  }
  /** `candidate` is a valid synchronizer token for this session as it is stored now. */
  acceptsCsrfToken(candidate: string | undefined): boolean {
    const secret = this.stored.csrfSecret;
    return (
      secret !== undefined &&
      this.address !== null &&
      verifyCsrfToken(candidate, secret, this.address.digest)
    );
  }
  /** Someone changed this user since the token was issued: this response must rotate it. */
  get rotationDue(): boolean {
    return this.stored.rotationDue && this.address !== null;
  }

  /** Elevated in this request (the store has the same deadline). */
  elevate(until: number): void {
    this.stored = { ...this.stored, elevatedUntil: until, rotationDue: false };
  }

  /** Now stored at `address` under a token issued in this request. */
  adopt(stored: StoredSession, address: SessionAddress, token: SessionToken): void {
    this.stored = stored;
    this.address = address;
    this.snapshot = stored.data;
    this.issuedToken = token;
    this.clearCookie = false;
    this.superseded = false;
  }

  moveTo(address: SessionAddress, token: SessionToken): void {
    this.address = address;
    this.issuedToken = token;
    this.stored = { ...this.stored, rotationDue: false };
  }

  markSaved(snapshot: Readonly<Record<string, string>>): void {
    this.snapshot = snapshot;
  }

  /**
   * Nothing is stored for this session any more (ended, revoked or expired mid-request). The
   * response clears the cookie unless `leave-cookie`: for a session that vanished while this
   * request ran, since a concurrent request of the same client may have rotated it and set the
   * new cookie, which a clearing Set-Cookie arriving later would override. A cookie that is
   * really dead is cleared by the next request's read.
   */
  detach(cookie: 'clear-cookie' | 'leave-cookie' = 'clear-cookie'): void {
    const hadCookie =
      cookie === 'clear-cookie' &&
      (this.address !== null || this.issuedToken !== null || this.clearCookie);
    this.address = null;
    this.issuedToken = null;
    this.snapshot = {};
    this.data = {} as T;
    this.stored = {
      ...this.stored,
      userId: null,
      roles: [],
      elevatedUntil: null,
      rotationDue: false,
      data: {},
    };
    this.clearCookie = hadCookie;
  }
}
