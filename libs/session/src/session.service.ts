import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { describeDevice } from './devices/describe-device.js';
import { SessionErrorMessages } from './errors/session-error-messages.js';
import { SessionLimitReachedError } from './errors/session-limit-reached.error.js';
import { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
import { SessionEvents, type SessionRevocationReason } from './events/session-events.js';
import {
  RequestSessionLifecycle,
  SUPERSEDED_TOKEN_MARK_MS,
} from './http/request-session.lifecycle.js';
import { RequestSession } from './http/request-session.js';
import { serializeSessionData } from './http/session-data-codec.js';
import type { ResolvedSessionOptions } from './options/resolved-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from './session.constants.js';
import type { Session, SessionInfo, SessionPrincipal } from './session.types.js';
import { SessionStore } from './store/session-store.js';
import { addressOfToken, generateSessionToken, shardOfUser } from './token/session-token.js';

// Ids end up in Redis key names and log lines: no control characters, bounded length.
const USER_ID_PATTERN = /^[^\p{Cc}]{1,256}$/u;

/**
 * What handlers do with sessions: log in, rotate on a privilege change, elevate, log out, and
 * manage a user's devices. Each call has reached Redis when it resolves (a revoked session is
 * dead on every app instance by then); the response carries the new cookie or clears it.
 *
 * @publicApi
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly store: SessionStore,
    private readonly lifecycle: RequestSessionLifecycle,
    private readonly events: SessionEvents,
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
  ) {}

  /**
   * Makes `session` an authenticated session of `principal.userId` under a NEW token (session
   * fixation defence). Data of an anonymous session, or of the same user's session, is carried
   * over; another user's data is not. The old token is dead when this resolves.
   *
   * @throws SessionLimitReachedError (409) with the `refuse` limit policy
   * @throws UnauthorizedException when `principal.generation` is stale (revoked during login)
   */
  async establish(session: Session<object>, principal: SessionPrincipal): Promise<void> {
    const current = RequestSession.of(session);
    if (typeof principal?.userId !== 'string' || !USER_ID_PATTERN.test(principal.userId)) {
      throw new TypeError(SessionErrorMessages.invalidUserId);
    }
    const carriesData = current.userId === null || current.userId === principal.userId;
    const data = carriesData ? current.data : {};
    // Serialise first: a value that cannot be stored fails here, before anything is deleted.
    const serialized = serializeSessionData(data, this.lifecycle.maxDataBytes);
    if (current.address !== null) {
      const supersedeMs = SUPERSEDED_TOKEN_MARK_MS;
      await this.reported(current, this.store.take(current.address, { supersedeMs }));
      current.detach();
    }
    const token = generateSessionToken(shardOfUser(principal.userId));
    const address = addressOfToken(token);
    const stored = this.lifecycle.freshStoredSession(
      principal.userId,
      serialized,
      current.client,
      principal.roles,
    );
    const result = await this.reported(
      current,
      this.store.create(address, stored, this.lifecycle.createOptions(principal.generation)),
    );
    if (result.status === 'limit-reached') throw new SessionLimitReachedError();
    if (result.status === 'revoked-meanwhile')
      throw new UnauthorizedException(SessionErrorMessages.revokedDuringLogin);
    current.adopt(stored, address, token);
    current.data = data;
    const at = new Date(stored.createdAt);
    this.events.emit('created', {
      sessionId: stored.publicId,
      userId: stored.userId,
      at,
      ...current.client,
      login: true,
    });
    this.emitRevoked(result.evicted, principal.userId, 'session-limit');
  }

  /**
   * Issues a new token for the same session and kills the old one atomically; call it on every
   * privilege change. Of two concurrent rotations one wins; the other gets 401. A session that
   * is not stored yet has no token to rotate.
   */
  async rotate(session: Session<object>): Promise<void> {
    const current = RequestSession.of(session);
    if (current.address === null) return;
    if (!(await this.reported(current, this.lifecycle.rotate(current, 'privilege-change')))) {
      throw new UnauthorizedException(SessionErrorMessages.sessionGone);
    }
  }

  /**
   * Step-up ("sudo mode") after the user re-entered their password: the session counts as
   * elevated for `elevationSeconds` and gets a new token (elevation is a privilege change).
   * Resolves the end of the elevation.
   */
  async elevate(session: Session<object>): Promise<Date> {
    const current = RequestSession.of(session);
    if (current.address === null || current.userId === null) {
      throw new UnauthorizedException(SessionErrorMessages.unauthenticated);
    }
    const until = Date.now() + this.options.elevationMs;
    const rotation = this.lifecycle.rotate(current, 'elevation', { elevatedUntil: until });
    if (!(await this.reported(current, rotation))) {
      throw new UnauthorizedException(SessionErrorMessages.sessionGone);
    }
    current.elevate(until);
    return new Date(until);
  }

  /** Logs out: the token is dead on every app instance when this resolves; the cookie is cleared. */
  async destroy(session: Session<object>): Promise<void> {
    const current = RequestSession.of(session);
    const { id, userId } = current;
    if (current.address !== null) await this.reported(current, this.store.take(current.address));
    current.detach();
    current.clearCookie = true;
    this.events.emit('logged-out', { sessionId: id, userId, at: new Date() });
  }

  /** The user's live sessions, newest first, marking the one of `current` (if given). */
  async list(userId: string, current?: Session<object>): Promise<SessionInfo[]> {
    const summaries = await this.failureReported(
      this.store.list(userId, { nowMs: Date.now(), idleTimeoutMs: this.options.idleTimeoutMs }),
    );
    return summaries
      .sort((a, b) => b.createdAt - a.createdAt || b.lastSeenAt - a.lastSeenAt)
      .map((summary) => {
        const userAgent = summary.device?.userAgent ?? '';
        return {
          id: summary.publicId,
          current: current?.id === summary.publicId,
          createdAt: new Date(summary.createdAt),
          lastSeenAt: new Date(summary.lastSeenAt),
          expiresAt: new Date(
            Math.min(summary.lastSeenAt + this.options.idleTimeoutMs, summary.absoluteExpiresAt),
          ),
          elevatedUntil: summary.elevatedUntil !== null ? new Date(summary.elevatedUntil) : null,
          ip: summary.device?.ip ?? '',
          userAgent,
          device: describeDevice(userAgent),
        };
      });
  }

  /** Signs out one of the user's sessions. `false` when the user has no session with that id. */
  async revoke(userId: string, sessionId: string): Promise<boolean> {
    const revoked = await this.failureReported(this.store.revoke(userId, sessionId));
    if (revoked) this.emitRevoked([sessionId], userId, 'revoked');
    return revoked;
  }

  /** Signs out every session of the user but `current`. Resolves how many were revoked. */
  async revokeOthers(current: Session<object>): Promise<number> {
    const session = RequestSession.of(current);
    if (session.userId === null)
      throw new UnauthorizedException(SessionErrorMessages.unauthenticated);
    const revoked = await this.reported(
      session,
      this.store.revokeAll(session.userId, { except: session.id }),
    );
    this.emitRevoked(revoked, session.userId, 'revoked-others');
    return revoked.length;
  }

  /** Signs the user out everywhere, including logins in flight. Resolves how many were revoked. */
  async revokeAll(userId: string): Promise<number> {
    const revoked = await this.failureReported(this.store.revokeAll(userId));
    this.emitRevoked(revoked, userId, 'revoked-all');
    return revoked.length;
  }

  /**
   * After the user changed their own password: this session gets a new token and every other
   * session of the user is revoked (also logins in flight).
   */
  async credentialsChanged(current: Session<object>): Promise<void> {
    const session = RequestSession.of(current);
    if (session.userId === null)
      throw new UnauthorizedException(SessionErrorMessages.unauthenticated);
    await this.revokeOthers(session);
    if (!(await this.reported(session, this.lifecycle.rotate(session, 'credentials-changed')))) {
      throw new UnauthorizedException(SessionErrorMessages.sessionGone);
    }
  }

  /**
   * A change made to a user by someone else (roles granted or removed): every session of the
   * user sees the new roles on its very next request, and that response rotates its token.
   * Resolves how many sessions were updated.
   */
  async updateUser(userId: string, change: { roles: readonly string[] }): Promise<number> {
    return this.failureReported(this.store.updateUser(userId, change));
  }

  /** Read before checking credentials and pass to `establish()` (see `SessionPrincipal`). */
  generation(userId: string): Promise<string> {
    return this.failureReported(this.store.generation(userId));
  }

  // A store failure during a call for the request's session is recorded on it, so the response
  // carries Retry-After whichever exception filter answers (RequestSessionLifecycle).
  private async reported<T>(session: RequestSession, work: Promise<T>): Promise<T> {
    try {
      return await this.failureReported(work);
    } catch (error) {
      if (error instanceof SessionStoreUnavailableError) session.storeFailure = error;
      throw error;
    }
  }

  // `store-unavailable` is emitted where the store failed, whichever exception filter answers:
  // an application's own catch-all filter would otherwise leave it unreported.
  private async failureReported<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      this.lifecycle.reportUnavailable(error);
      throw error;
    }
  }

  private emitRevoked(
    sessionIds: readonly string[],
    userId: string,
    reason: SessionRevocationReason,
  ): void {
    const at = new Date();
    for (const sessionId of sessionIds)
      this.events.emit('revoked', { sessionId, userId, at, reason });
  }
}
