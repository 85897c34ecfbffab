import { Injectable, UnauthorizedException } from '@nestjs/common';
import { SessionErrorMessages } from './errors/session-error-messages.js';
import { RequestSessionLifecycle } from './http/request-session.lifecycle.js';
import { RequestSession } from './http/request-session.js';
import { serializeSessionData } from './http/session-data-codec.js';
import type { Session, SessionPrincipal } from './session.types.js';
import { SessionStore } from './store/session-store.js';
import { addressOfToken, generateSessionToken, shardOfUser } from './token/session-token.js';

// Ids end up in Redis key names and log lines: no control characters, bounded length.
const USER_ID_PATTERN = /^[^\p{Cc}]{1,256}$/u;

/**
 * What a handler does with the session it got from `@CurrentSession()`: log in, rotate on a
 * privilege change, log out. Each call has reached Redis when it resolves; the response then
 * carries the new cookie (or clears it).
 *
 * @publicApi
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly store: SessionStore,
    private readonly lifecycle: RequestSessionLifecycle,
  ) {}

  /**
   * Makes `session` an authenticated session of `principal.userId` under a NEW token (session
   * fixation defence). Data of an anonymous session, or of the same user's session, is carried
   * over; another user's data is not. The old token is dead when this resolves.
   */
  async establish(session: Session<object>, principal: SessionPrincipal): Promise<void> {
    const current = RequestSession.of(session);
    if (typeof principal?.userId !== 'string' || !USER_ID_PATTERN.test(principal.userId)) {
      throw new TypeError(SessionErrorMessages.invalidUserId);
    }
    const carriesData = current.userId === null || current.userId === principal.userId;
    const data = carriesData ? current.data : {};
    // Serialise first: a value that cannot be stored fails here, before anything is deleted.
    const serialized = serializeSessionData(data);
    if (current.address !== null) {
      await this.store.take(current.address);
      current.detach();
    }
    const token = generateSessionToken(shardOfUser(principal.userId));
    const address = addressOfToken(token);
    const stored = this.lifecycle.freshStoredSession(principal.userId, serialized);
    await this.store.create(address, stored, this.lifecycle.initialTtlMs);
    current.adopt(stored, address, token);
    current.data = data;
  }

  /**
   * Issues a new token for the same session and kills the old one atomically; call it on every
   * privilege change. Of two concurrent rotations one wins; the other gets 401. A session that
   * is not stored yet has no token to rotate.
   */
  async rotate(session: Session<object>): Promise<void> {
    const current = RequestSession.of(session);
    if (current.address === null) return;
    const token = generateSessionToken(current.address.shard);
    const address = addressOfToken(token);
    if (!(await this.store.rotate(current.address, address))) {
      current.detach();
      throw new UnauthorizedException(SessionErrorMessages.sessionGone);
    }
    current.moveTo(address, token);
  }

  /** Logs out: the token is dead on every app instance when this resolves; the cookie is cleared. */
  async destroy(session: Session<object>): Promise<void> {
    const current = RequestSession.of(session);
    if (current.address !== null) await this.store.take(current.address);
    current.detach();
    current.clearCookie = true;
  }
}
