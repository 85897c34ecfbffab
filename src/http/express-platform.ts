import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PAGE_ASSETS_DIR, PAGE_ASSETS_PREFIX } from '../pages/page-files.js';
import { bodyParserErrors } from './body-parser-errors.middleware.js';
import type { CreateAppOnPlatform } from './http-platform.js';
import { jsonBodyParser } from './json-body-parser.js';
import { securityHeaders } from './security-headers.js';
import { refuseUndecodablePaths } from './undecodable-path.middleware.js';

/** The app on `@nestjs/platform-express` (`HTTP_ADAPTER=express`, the default). */
export const createExpressApp: CreateAppOnPlatform = async (module, settings, options) => {
  // Nest's own parsers would take urlencoded forms too: only `jsonBodyParser` parses bodies.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    ...options,
    bodyParser: false,
  });
  app.use(settings.requestLogging);
  // Next, so every answer carries the headers, body-parser errors included.
  app.use(securityHeaders(settings.production));
  app.use(jsonBodyParser(settings.jsonBodyLimit));
  app.use(bodyParserErrors(settings.jsonBodyLimit));
  // After the parser's error handler, which would take its refusal for a parser error.
  app.use(refuseUndecodablePaths);
  app.disable('x-powered-by');
  if (settings.trustProxy !== undefined) app.set('trust proxy', settings.trustProxy);
  // The pages' scripts and styles: plain files, no session needed.
  app.useStaticAssets(PAGE_ASSETS_DIR, {
    prefix: PAGE_ASSETS_PREFIX,
    index: false,
    redirect: false,
  });
  return app;
};
