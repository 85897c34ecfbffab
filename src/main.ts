import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import type { AppConfig } from './config/app-config.js';
import { InvalidAppConfigError } from './config/invalid-app-config.error.js';
import { loadAppConfig } from './config/load-app-config.js';
import { listenHostOf } from './http/http-platform.js';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    // A configuration mistake is the operator's to fix: the list of problems, not a stack trace.
    if (!(error instanceof InvalidAppConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const app = await createApp(config);
  const host = listenHostOf(config.httpAdapter);
  await (host === undefined ? app.listen(config.port) : app.listen(config.port, host));
  new Logger('Bootstrap').log(`Listening on ${await app.getUrl()}`);
}

await bootstrap();
