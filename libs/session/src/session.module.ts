import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { resolveSessionOptions } from './options/resolve-session-options.js';
import type { ResolvedSessionOptions } from './options/resolved-session-options.js';
import { SessionRedisConnection } from './redis/session-redis-connection.js';
import { ConfigurableSessionModule, SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { RESOLVED_SESSION_OPTIONS, SESSION_REDIS_CLIENT } from './session.constants.js';
import { SESSION_EXPORTS, SESSION_PROVIDERS } from './session.providers.js';
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
  // DiscoveryModule: SelfSendingRoutesCheck looks through the application's controllers.
  imports: [DiscoveryModule],
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
          socketWrites: options.socketWrites,
        }),
      inject: [SessionRedisConnection, RESOLVED_SESSION_OPTIONS],
    },
    ...SESSION_PROVIDERS,
  ],
  exports: [...SESSION_EXPORTS, SESSION_REDIS_CLIENT],
})
export class SessionModule extends ConfigurableSessionModule {}
