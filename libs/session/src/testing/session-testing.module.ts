import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { resolveSessionOptions } from '../options/resolve-session-options.js';
import type { SessionModuleOptions } from '../options/session-module-options.interface.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.constants.js';
import { SESSION_EXPORTS, SESSION_PROVIDERS } from '../session.providers.js';
import { SessionStore } from '../store/session-store.js';
import { MemorySessionStore } from './memory-session.store.js';

/**
 * Options of `SessionTestingModule.forRoot()`: those of `SessionModule.forRoot()`, with the same
 * defaults and validation. Redis settings are optional and ignored, so the application's own
 * options object can be passed as it is.
 *
 * @publicApi
 */
export interface SessionTestingModuleOptions extends Omit<SessionModuleOptions, 'redis'> {
  /** Ignored: sessions are kept in a `MemorySessionStore`. */
  redis?: SessionModuleOptions['redis'];
  /**
   * Register the module globally, as `SessionModule` does.
   * @default true
   */
  isGlobal?: boolean;
}

// resolveSessionOptions insists on a Redis setting, which no provider here reads (there is no
// connection and no client). This one names a host that cannot exist (RFC 2606 `.invalid`).
const NO_REDIS = { url: 'redis://session-testing.invalid' } as const;

/**
 * `SessionModule` without Redis, for testing an application: the same providers (SessionService,
 * SessionGuard, SessionEvents, the save before each response, the 503 filter and the cross-site request
 * guard) over a `MemorySessionStore`. It opens no connection and does not load ioredis. It
 * provides no `SESSION_REDIS_CLIENT`: a provider that injects it (such as
 * `SessionRedisHealthIndicator`) fails at `compile()`; override that provider in the test.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [SessionTestingModule.forRoot({ cookie: { secure: false } })],
 *   controllers: [ProfileController],
 *   providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
 * }).compile();
 *
 * @publicApi
 */
@Module({})
export class SessionTestingModule {
  static forRoot(options: SessionTestingModuleOptions = {}): DynamicModule {
    const { isGlobal = true, ...sessionOptions } = options;
    return {
      module: SessionTestingModule,
      global: isGlobal,
      imports: [DiscoveryModule],
      providers: [
        {
          provide: RESOLVED_SESSION_OPTIONS,
          useFactory: () => resolveSessionOptions({ ...sessionOptions, redis: NO_REDIS }),
        },
        { provide: MemorySessionStore, useFactory: () => new MemorySessionStore() },
        { provide: SessionStore, useExisting: MemorySessionStore },
        ...SESSION_PROVIDERS,
      ],
      exports: [...SESSION_EXPORTS, MemorySessionStore],
    };
  }
}
