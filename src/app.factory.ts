import { type INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig, HttpAdapterName } from './config/app-config.js';
import { setUpApiDocs } from './docs/api-docs.js';
import { createExpressApp } from './http/express-platform.js';
import { createFastifyApp } from './http/fastify-platform.js';
import type { CreateAppOnPlatform } from './http/http-platform.js';
import { warnIfProxyUntrusted } from './http/trust-proxy-warning.js';
import { AppLogger } from './logging/app-logger.js';
import { createHttpLogger } from './logging/http-logger.js';
import { requestLogging } from './logging/request-logging.middleware.js';
import { createRootLogger } from './logging/root-logger.js';

// Room for a 100 kB password to reach the length check (a clear 400, before any hashing);
// anything larger is refused by the parser with 413.
const JSON_BODY_LIMIT = '128kb';

/** `HTTP_ADAPTER`: each platform sets up headers, body parsing, proxies and assets its way. */
const CREATE_APP_ON: Record<HttpAdapterName, CreateAppOnPlatform> = {
  express: createExpressApp,
  fastify: createFastifyApp,
};

/** What `createApp` takes besides the configuration. */
export interface CreateAppOptions {
  /**
   * Receives every line the app logs, Nest's and the request log's, as JSON lines, instead of
   * stdout (tests capture them). `LOG_LEVEL` still decides which lines are written.
   */
  logDestination?: DestinationStream;
}

/** The app, configured but not listening: used by `main.ts` and by the e2e tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const rootLogger = createRootLogger(config, options.logDestination);
  const app = await CREATE_APP_ON[config.httpAdapter](
    AppModule.forRoot(config),
    {
      production: config.production,
      trustProxy: config.trustProxy,
      jsonBodyLimit: JSON_BODY_LIMIT,
      requestLogging: requestLogging(createHttpLogger(rootLogger)),
    },
    { logger: new AppLogger(rootLogger) },
  );
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, transform: true }),
  );
  app.enableShutdownHooks();
  setUpApiDocs(app, config);
  warnIfProxyUntrusted(config, new Logger('Bootstrap'));
  return app;
}
