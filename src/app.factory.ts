import { Logger, type LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { bodyParserErrors } from './http/body-parser-errors.middleware.js';
import { securityHeaders } from './http/security-headers.js';
import { warnIfProxyUntrusted } from './http/trust-proxy-warning.js';
import { PAGE_ASSETS_DIR, PAGE_ASSETS_PREFIX } from './pages/page-files.js';

const JSON_BODY_LIMIT = '16kb';

/** What `createApp` takes besides the configuration. */
export interface CreateAppOptions {
  /** Receives every log line at every level instead of Nest's console logger (tests). */
  logger?: LoggerService;
}

/** The app, configured but not listening: used by `main.ts` and by the e2e tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? config.logLevels,
    // Only JSON bodies are parsed: a cross-site HTML form cannot send one, and the small limit
    // keeps oversized bodies from reaching argon2 or Redis.
    bodyParser: false,
  });
  // First, so every answer carries the headers, body-parser errors included.
  app.use(securityHeaders(config.production));
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.use(bodyParserErrors(JSON_BODY_LIMIT));
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // The pages' scripts and styles: plain files, no session needed.
  app.useStaticAssets(PAGE_ASSETS_DIR, {
    prefix: PAGE_ASSETS_PREFIX,
    index: false,
    redirect: false,
  });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, transform: true }),
  );
  app.enableShutdownHooks();
  warnIfProxyUntrusted(config, new Logger('Bootstrap'));
  return app;
}
