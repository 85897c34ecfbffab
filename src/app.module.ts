import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { SessionGuard, SessionModule } from 'nest-redis-session';
import { AccountModule } from './account/account.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { AppConfigModule } from './config/app-config.module.js';
import { toSessionModuleOptions } from './config/to-session-module-options.js';
import { HealthModule } from './health/health.module.js';
import { UnexpectedErrorFilter } from './http/unexpected-error.filter.js';
import { MeModule } from './me/me.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PagesModule } from './pages/pages.module.js';

/** The sample app. Every route needs a session unless it is marked `@Public()`. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        SessionModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (appConfig: AppConfig) => toSessionModuleOptions(appConfig),
        }),
        AuthModule,
        MeModule,
        AccountModule,
        AdminModule,
        HealthModule,
        PagesModule,
        MetricsModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: SessionGuard },
        // Nest asks the global filter registered last first. The root module's providers are
        // registered before those of the modules it imports, so SessionModule's own filter
        // still answers its 503 (with Retry-After) and this catch-all gets everything else.
        { provide: APP_FILTER, useClass: UnexpectedErrorFilter },
      ],
    };
  }
}
