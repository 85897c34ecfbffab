import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/** Fields every session event carries. Never a token or a digest. */
export interface SessionEventBase {
  /** Public session id. */
  readonly sessionId: string;
  readonly userId: string | null;
  readonly at: Date;
}

/** Why a token was replaced. */
export type SessionRotationReason =
  'privilege-change' | 'elevation' | 'user-changed' | 'credentials-changed';

/** Why a session was revoked. */
export type SessionRevocationReason =
  'revoked' | 'revoked-others' | 'revoked-all' | 'session-limit';

/**
 * What a session lookup found. `no-cookie` and `malformed` cost no Redis call; `superseded` is a
 * cookie a login or step-up of the same client replaced moments ago.
 */
export type SessionLookupOutcome =
  'found' | 'missing' | 'expired' | 'superseded' | 'malformed' | 'no-cookie' | 'unavailable';

/** Every event and its payload. @publicApi */
export interface SessionEventMap {
  /** Every request whose session was loaded: for a latency histogram and hit/miss counters. */
  lookup: { readonly outcome: SessionLookupOutcome; readonly durationMs: number };
  /** Redis could not serve a request's session (the request got 503). */
  'store-unavailable': { readonly at: Date; readonly reason: string };
  created: SessionEventBase & {
    readonly ip: string;
    readonly userAgent: string;
    readonly login: boolean;
  };
  rotated: SessionEventBase & { readonly reason: SessionRotationReason };
  revoked: SessionEventBase & { readonly reason: SessionRevocationReason };
  'expired-on-read': SessionEventBase;
  'logged-out': SessionEventBase;
}

export type SessionEventName = keyof SessionEventMap;

/**
 * Subscribe here for audit logs or metrics; the library chooses no logger. Listeners run
 * synchronously after the change reached Redis; a listener that throws cannot fail the request.
 *
 * @example
 * events.on('revoked', (e) => audit.info({ session: e.sessionId, user: e.userId, why: e.reason }));
 *
 * @publicApi
 */
@Injectable()
export class SessionEvents {
  private readonly emitter = new EventEmitter();

  /** Adds a listener; returns a function that removes it. */
  on<E extends SessionEventName>(
    event: E,
    listener: (payload: SessionEventMap[E]) => void,
  ): () => void {
    const safe = (payload: SessionEventMap[E]) => {
      try {
        listener(payload);
      } catch {
        // An audit hook must not turn a completed logout into an error response.
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  /** @internal Whether anyone listens: lets a hot path skip building a payload nobody reads. */
  hasListeners(event: SessionEventName): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  /** @internal */
  emit<E extends SessionEventName>(event: E, payload: SessionEventMap[E]): void {
    this.emitter.emit(event, payload);
  }
}
