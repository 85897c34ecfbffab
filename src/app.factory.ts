import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { bodyParserErrors } from './http/body-parser-errors.middleware.js';

const JSON_BODY_LIMIT = '16kb';

/** The app, configured but not listening: used by `main.ts` and by the e2e tests. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: config.logLevels,
    // Only JSON bodies are parsed: a cross-site HTML form cannot send one, and the small limit
    // keeps oversized bodies from reaching argon2 or Redis.
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.use(bodyParserErrors(JSON_BODY_LIMIT));
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, transform: true }),
  );
  app.enableShutdownHooks();
  return app;
}
