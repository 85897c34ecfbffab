import type { Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { SessionCsrfGuard } from './csrf/session-csrf.guard.js';
import { SessionEvents } from './events/session-events.js';
import { SessionStoreUnavailableFilter } from './filters/session-store-unavailable.filter.js';
import { SessionGuard } from './guards/session.guard.js';
import { RequestSessionLifecycle } from './http/request-session.lifecycle.js';
import { SelfSendingRoutesCheck } from './http/self-sending-routes.check.js';
import { SessionReplyHook } from './http/session-reply-hook.js';
import { RESOLVED_SESSION_OPTIONS } from './session.constants.js';
import { SessionService } from './session.service.js';
import { SessionStore } from './store/session-store.js';

/*
 * What every session module registers, whatever holds the sessions. Each module adds its own
 * RESOLVED_SESSION_OPTIONS and SessionStore (SessionModule: Redis and its connection;
 * SessionTestingModule: memory). Kept out of session.module.ts, which loads ioredis, so that
 * `nest-redis-session/testing` can share the list without loading a Redis client.
 */

/** Providers shared by SessionModule and SessionTestingModule. */
export const SESSION_PROVIDERS: Provider[] = [
  SessionEvents,
  RequestSessionLifecycle,
  SessionService,
  SessionGuard,
  { provide: APP_GUARD, useClass: SessionCsrfGuard },
  // Saves the session before the response; no interceptor (see the class).
  SessionReplyHook,
  SelfSendingRoutesCheck,
  { provide: APP_FILTER, useClass: SessionStoreUnavailableFilter },
];

/** What both modules export to the application. */
export const SESSION_EXPORTS = [
  SessionService,
  SessionGuard,
  SessionEvents,
  SessionStore,
  RequestSessionLifecycle,
  RESOLVED_SESSION_OPTIONS,
];
