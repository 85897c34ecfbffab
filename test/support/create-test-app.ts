import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadAppConfig } from '../../src/config/load-app-config.js';

/** What a test may set; everything else comes from the app's own defaults. */
export interface TestAppSettings {
  redisUrl: string;
  /** Every key the app writes starts with it (`uniquePrefix()`), so files never collide. */
  keyPrefix: string;
  /** `NODE_ENV=production`: `__Host-sid`, Secure. Off by default, so the cookie is `sid`. */
  production?: boolean;
  adminEmail?: string;
  idleTimeoutSeconds?: number;
  absoluteTimeoutSeconds?: number;
  touchIntervalSeconds?: number;
}

/** The config `createApp` gets, built through `loadAppConfig` exactly as `main.ts` builds it. */
export function testAppConfig(settings: TestAppSettings): AppConfig {
  const env: NodeJS.ProcessEnv = {
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: settings.keyPrefix,
    NODE_ENV: settings.production === true ? 'production' : 'test',
    ADMIN_EMAIL: settings.adminEmail,
    SESSION_IDLE_TIMEOUT: settings.idleTimeoutSeconds?.toString(),
    SESSION_ABSOLUTE_TIMEOUT: settings.absoluteTimeoutSeconds?.toString(),
    SESSION_TOUCH_INTERVAL: settings.touchIntervalSeconds?.toString(),
    // Errors still show (an unexpected 500 logs its stack); routine start-up lines do not.
    LOG_LEVEL: 'warn',
  };
  return loadAppConfig(env);
}

/** The sample app, initialised (not listening): hand `app.getHttpServer()` to supertest. */
export async function createTestApp(settings: TestAppSettings): Promise<NestExpressApplication> {
  const app = await createApp(testAppConfig(settings));
  await app.init();
  return app;
}
