import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { SessionCsrfGuard } from './csrf/session-csrf.guard.js';
import { SessionEvents } from './events/session-events.js';
import { SessionStoreUnavailableFilter } from './filters/session-store-unavailable.filter.js';
import { SessionGuard } from './guards/session.guard.js';
import { RequestSessionLifecycle } from './http/request-session.lifecycle.js';
import { SessionCommitInterceptor } from './interceptors/session-commit.interceptor.js';
import { resolveSessionOptions } from './options/resolve-session-options.js';
import type { ResolvedSessionOptions } from './options/resolved-session-options.js';
import { SessionRedisConnection } from './redis/session-redis-connection.js';
import { ConfigurableSessionModule, SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { RESOLVED_SESSION_OPTIONS, SESSION_REDIS_CLIENT } from './session.constants.js';
import { SessionService } from './session.service.js';
import { RedisSessionStore } from './store/redis-session.store.js';
import { SessionStore } from './store/session-store.js';

/**
 * Redis-backed sessions for a Nest application.
 *
 * @example
 * ＠Module({
 *   imports: [SessionModule.forRoot({ redis: { url: 'redis://127.0.0.1:6379' } })],
 *   providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
 * })
 * export class AppModule {}
 *
 * @publicApi
 */
@Module({
  providers: [
    {
      provide: RESOLVED_SESSION_OPTIONS,
      useFactory: resolveSessionOptions,
      inject: [SESSION_MODULE_OPTIONS],
    },
    SessionRedisConnection,
    {
      provide: SESSION_REDIS_CLIENT,
      useFactory: (connection: SessionRedisConnection) => connection.client,
      inject: [SessionRedisConnection],
    },
    {
      provide: SessionStore,
      useFactory: (connection: SessionRedisConnection, options: ResolvedSessionOptions) =>
        new RedisSessionStore(connection.client, options.keyPrefix, {
          replicaAcknowledgement: options.replicaAcknowledgement,
        }),
      inject: [SessionRedisConnection, RESOLVED_SESSION_OPTIONS],
    },
    SessionEvents,
    RequestSessionLifecycle,
    SessionService,
    SessionGuard,
    { provide: APP_GUARD, useClass: SessionCsrfGuard },
    { provide: APP_INTERCEPTOR, useClass: SessionCommitInterceptor },
    { provide: APP_FILTER, useClass: SessionStoreUnavailableFilter },
  ],
  exports: [
    SessionService,
    SessionGuard,
    SessionStore,
    RequestSessionLifecycle,
    SESSION_REDIS_CLIENT,
    RESOLVED_SESSION_OPTIONS,
  ],
})
export class SessionModule extends ConfigurableSessionModule {}
