import { Inject, Injectable } from '@nestjs/common';
import { generateCsrfSecret } from '../csrf/csrf-token.js';
import { SessionEvents, type SessionLookupOutcome } from '../events/session-events.js';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.constants.js';
import { SessionStore } from '../store/session-store.js';
import type {
  SessionDataChange,
  SessionDeviceRecord,
  StoredSession,
} from '../store/stored-session.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  parseSessionToken,
  randomShard,
} from '../token/session-token.js';
import { clientOf } from './client-of-request.js';
import {
  appendSetCookie,
  requestHeader,
  requestOfResponse,
  type HttpRequestLike,
  type HttpResponseLike,
} from './http-exchange.js';
import { RequestSession } from './request-session.js';
import { markRetryAfter } from './retry-after.js';
import { lazySessionData } from './lazy-session-data.js';
import { applySessionDataChange, diffSessionData } from './session-data-codec.js';
import {
  clearedSessionCookieHeader,
  readSessionCookie,
  sessionCookieHeader,
} from './session-cookie.js';

// A browser sends several requests at once (a page load); when one of them applies a rotation
// the server scheduled, the others still carry the old cookie. They are served through a
// forward for this long instead of being logged out.
const SCHEDULED_ROTATION_FORWARD_MS = 10_000;
// After a login or a step-up, the others are refused (a forward would let a planted token ride
// along), but for this long their responses leave the cookie alone: clearing it could override
// the new cookie the winning response set, and log the user out.
export const SUPERSEDED_TOKEN_MARK_MS = 10_000;

// Module-private key on the request: `req.session` would collide with express-session.
const STATE = Symbol('nest-redis-session:request-state');

/**
 * What the library keeps for one request, in one object. One property added per request, on the
 * request only: Express re-sets the prototype of its req and res on every request, which makes
 * every property added to them cost about a microsecond (bench/profiles/http-read.md).
 */
class RequestState {
  loading: Promise<RequestSession> | undefined = undefined;
  loaded: RequestSession | undefined = undefined;
  /** Set when a handler took the loaded session: it is saved before the response goes out. */
  savedBy: RequestSessionLifecycle | undefined = undefined;
}

type RequestWithState = HttpRequestLike & { [STATE]?: RequestState };

function stateOf(request: HttpRequestLike): RequestState {
  return ((request as RequestWithState)[STATE] ??= new RequestState());
}

interface PendingSave {
  readonly lifecycle: RequestSessionLifecycle;
  readonly session: RequestSession;
}

/**
 * The session a handler took for this response, once: whoever sends the response settles it.
 * Undefined when no handler took one, or it was settled already.
 */
export function takePendingSave(response: HttpResponseLike): PendingSave | undefined {
  const state = ((requestOfResponse(response) ?? response) as RequestWithState)[STATE];
  const lifecycle = state?.savedBy;
  if (lifecycle === undefined || state?.loaded === undefined) return undefined;
  state.savedBy = undefined;
  return { lifecycle, session: state.loaded };
}

/**
 * Loads a request's session at most once (the guard and `@CurrentSession()` share the result)
 * and, before the response goes out, writes what changed, applies a pending rotation, and sets or
 * clears the cookie.
 */
@Injectable()
export class RequestSessionLifecycle {
  // Each failure is reported once, however many places see it on its way to the filter.
  private readonly reported = new WeakSet<SessionStoreUnavailableError>();

  constructor(
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
  ) {}

  /**
   * The session for a handler's `@CurrentSession()` parameter, loaded if no guard did, and due to
   * be saved just before Nest sends the response. Synchronous when a guard loaded it already.
   */
  sessionForHandler(
    request: HttpRequestLike,
    response: HttpResponseLike,
  ): RequestSession | Promise<RequestSession> {
    const state = stateOf(request);
    // The reply hook finds the state through the response's link to its request, which Express
    // and Fastify have; another adapter's response gets the state itself.
    const linked = requestOfResponse(response);
    if (linked !== request) ((linked ?? response) as RequestWithState)[STATE] = state;
    if (state.loaded !== undefined) {
      state.savedBy = this;
      return state.loaded;
    }
    return this.load(request).then(
      (session) => {
        state.savedBy = this;
        return session;
      },
      (error: unknown) => {
        this.markRetryAfter(error, response);
        throw error;
      },
    );
  }

  /**
   * Just before the response of a handler that took the session goes out with `status`: saves
   * what the handler changed, applies a scheduled rotation, sets or clears the cookie. An error
   * response (400 and up) saves no data, as a handler that threw may have stopped halfway; its
   * cookie still follows what already happened in Redis (a login, a rotation, a logout).
   * Returns undefined when nothing needs Redis, so a read-only request adds no await.
   */
  settleBeforeReply(
    session: RequestSession,
    response: HttpResponseLike,
    status: number,
  ): Promise<void> | undefined {
    // The handler failed on Redis: an exception filter is answering, maybe one of the app's.
    if (session.storeFailure !== undefined) this.markRetryAfter(session.storeFailure, response);
    const change =
      status < 400
        ? diffSessionData(session.data, session.snapshot, this.options.maxDataBytes)
        : null;
    if (change === null && (status >= 400 || !session.rotationDue)) {
      this.writeCookie(session, response);
      return undefined;
    }
    return this.save(session, change, response);
  }

  load(request: HttpRequestLike): Promise<RequestSession> {
    const state = stateOf(request);
    state.loading ??= this.lookup(request).then((session) => (state.loaded = session));
    return state.loading;
  }

  /** Saves what the handler changed, applies a scheduled rotation, sets or clears the cookie. */
  commit(session: RequestSession, response: HttpResponseLike): Promise<void> {
    const change = diffSessionData(session.data, session.snapshot, this.options.maxDataBytes);
    return this.save(session, change, response);
  }

  private async save(
    session: RequestSession,
    change: SessionDataChange | null,
    response: HttpResponseLike,
  ): Promise<void> {
    if (change !== null && session.address !== null) {
      if (await this.store.save(session.address, change)) {
        session.markSaved(applySessionDataChange(session.snapshot, change));
      } else {
        session.detach('leave-cookie');
      }
    } else if (change !== null && Object.keys(change.set).length > 0 && !session.superseded) {
      // A superseded cookie's data is dropped instead: storing it would mean a new cookie,
      // which would replace the one the login or step-up just set and sign the user out.
      await this.persistAnonymous(session, change.set);
    }
    if (session.rotationDue) await this.rotate(session, 'user-changed');
    this.writeCookie(session, response);
  }

  /** Adds `Retry-After` to the response when `error` is a store failure, and reports it. */
  markRetryAfter(error: unknown, response: HttpResponseLike): void {
    if (!(error instanceof SessionStoreUnavailableError)) return;
    markRetryAfter(error, response, this.options.retryAfterSeconds);
    this.reportUnavailable(error);
  }

  /** Emits `store-unavailable` when `error` is a store failure not reported yet. */
  reportUnavailable(error: unknown): void {
    if (!(error instanceof SessionStoreUnavailableError) || this.reported.has(error)) return;
    this.reported.add(error);
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    this.events.emit('store-unavailable', { at: new Date(), reason: cause });
  }

  writeCookie(session: RequestSession, response: HttpResponseLike): void {
    if (session.issuedToken !== null) {
      appendSetCookie(response, sessionCookieHeader(this.options.cookie, session.issuedToken));
    } else if (session.clearCookie) {
      appendSetCookie(response, clearedSessionCookieHeader(this.options.cookie));
      session.clearCookie = false;
    }
  }

  /**
   * New token for the same session, old one dead. `false` when the session was gone already
   * (revoked, or another request rotated it first); the session is then detached.
   */
  async rotate(
    session: RequestSession,
    reason: 'privilege-change' | 'elevation' | 'user-changed' | 'credentials-changed',
    change?: { elevatedUntil?: number },
  ): Promise<boolean> {
    if (session.address === null) return false;
    const scheduled = reason === 'user-changed';
    const token = generateSessionToken(session.address.shard);
    const address = addressOfToken(token);
    const oldAddress = scheduled
      ? { forwardOldMs: SCHEDULED_ROTATION_FORWARD_MS }
      : { supersedeOldMs: SUPERSEDED_TOKEN_MARK_MS };
    if (!(await this.store.rotate(session.address, address, { ...change, ...oldAddress }))) {
      // A scheduled rotation lost to a concurrent request of the same client, whose response
      // carries the new cookie: this one goes on with the session. Otherwise the session is
      // gone: revoked, or rotated by a concurrent request whose new cookie this response must
      // not clear (see detach).
      if (!scheduled) session.detach('leave-cookie');
      return false;
    }
    session.moveTo(address, token);
    this.events.emit('rotated', {
      sessionId: session.id,
      userId: session.userId,
      at: new Date(),
      reason,
    });
    return true;
  }

  /** A stored session shape starting now, for a new anonymous or authenticated session. */
  freshStoredSession(
    userId: string | null,
    data: Record<string, string>,
    device: SessionDeviceRecord | null,
    roles: readonly string[] = [],
  ): StoredSession {
    const now = Date.now();
    return {
      publicId: generatePublicSessionId(),
      userId,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.options.absoluteTimeoutMs,
      roles,
      elevatedUntil: null,
      device,
      rotationDue: false,
      ...(this.options.csrf.synchronizerTokenHeader !== undefined
        ? { csrfSecret: generateCsrfSecret() }
        : {}),
      data,
    };
  }

  /** The largest serialised data a session may hold. */
  get maxDataBytes(): number {
    return this.options.maxDataBytes;
  }

  /** How a new session is created: its first TTL, the clock, and the per-user limit. */
  createOptions(expectedGeneration?: string) {
    return {
      ttlMs: Math.min(this.options.idleTimeoutMs, this.options.absoluteTimeoutMs),
      clock: { nowMs: Date.now(), idleTimeoutMs: this.options.idleTimeoutMs },
      limit: this.options.sessionLimit,
      expectedGeneration,
    };
  }

  // Timing a lookup costs on every request: only when a metrics hook listens.
  private lookup(request: HttpRequestLike): Promise<RequestSession> {
    return this.events.hasListeners('lookup')
      ? this.timedResolve(request)
      : this.resolve(request, { outcome: 'unavailable' });
  }

  // Times every lookup for the `lookup` event (a metrics hook); the outcome rides on `found`.
  private async timedResolve(request: HttpRequestLike): Promise<RequestSession> {
    const started = performance.now();
    const found: { outcome: SessionLookupOutcome } = { outcome: 'unavailable' };
    try {
      return await this.resolve(request, found);
    } finally {
      this.events.emit('lookup', {
        outcome: found.outcome,
        durationMs: performance.now() - started,
      });
    }
  }

  private async resolve(
    request: HttpRequestLike,
    found: { outcome: SessionLookupOutcome },
  ): Promise<RequestSession> {
    // Address and User-Agent are recorded only when a session is created: read them then.
    const client = () => clientOf(request);
    const cookie = readSessionCookie(requestHeader(request, 'cookie'), this.options.cookie.name);
    const token = parseSessionToken(cookie.value);
    if (token === null) {
      found.outcome = cookie.present ? 'malformed' : 'no-cookie';
      return this.anonymous(client, cookie.present);
    }
    const address = addressOfToken(token);
    const result = await this.store.read(address, {
      nowMs: Date.now(),
      idleTimeoutMs: this.options.idleTimeoutMs,
      touchIntervalMs: this.options.touchIntervalMs,
    });
    found.outcome = result.status;
    if (result.status === 'expired') {
      this.events.emit('expired-on-read', {
        sessionId: result.sessionId,
        userId: result.userId,
        at: new Date(),
      });
    }
    if (result.status === 'superseded') {
      const session = this.anonymous(client, false);
      session.superseded = true;
      return session;
    }
    if (result.status !== 'found') return this.anonymous(client, true);
    // Forwarded: a concurrent request rotated this token a moment ago; use the session where it
    // lives now and leave the cookie to that request's response.
    const current = result.forwardedTo
      ? { shard: address.shard, digest: result.forwardedTo }
      : address;
    return RequestSession.loaded(
      this.withCsrfSecret(result.session),
      current,
      lazySessionData(result.session.data),
      this.options.idleTimeoutMs,
      client,
    );
  }

  // A session created before the synchronizer token was turned on has no secret of its own, and
  // the option must not lock its user out (even of logging out) until it expires. Until its next
  // login it gets an empty one: its token is then an HMAC of the session token's digest alone,
  // unknown to other sites (they never see the cookie) though computable, unlike with a secret,
  // by whoever sees Redis key names. Bound to the digest, it still changes on every rotation.
  private withCsrfSecret(session: StoredSession): StoredSession {
    if (this.options.csrf.synchronizerTokenHeader === undefined) return session;
    return session.csrfSecret !== undefined ? session : { ...session, csrfSecret: '' };
  }

  // Its stored shape is a placeholder: persistAnonymous() builds the one it stores.
  private anonymous(client: () => SessionDeviceRecord, clearCookie: boolean): RequestSession {
    return RequestSession.anonymous(
      this.freshStoredSession(null, {}, null),
      this.options.idleTimeoutMs,
      clearCookie,
      client,
    );
  }

  private async persistAnonymous(
    session: RequestSession,
    data: Record<string, string>,
  ): Promise<void> {
    const token = generateSessionToken(randomShard());
    const address = addressOfToken(token);
    const stored = { ...this.freshStoredSession(null, data, session.client), publicId: session.id };
    await this.store.create(address, stored, this.createOptions());
    session.adopt(stored, address, token);
    this.events.emit('created', {
      sessionId: stored.publicId,
      userId: null,
      at: new Date(stored.createdAt),
      ip: session.client.ip,
      userAgent: session.client.userAgent,
      login: false,
    });
  }
}
