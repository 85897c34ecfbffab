import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DEFAULT_SESSION_OPTIONS } from 'nest-redis-session';
import type { AppConfig } from '../config/app-config.js';
import { API_DOCS_JSON_PATH, API_DOCS_PATH, SESSION_COOKIE_SCHEME } from './api-docs-paths.js';

// The library prefixes the cookie name with `__Host-` whenever cookies are Secure (production).
const HOST_PREFIX = '__Host-';

/**
 * Serves the OpenAPI description of the API at `/docs` (Swagger UI) and `/docs-json`, built
 * from the explicit `@Api…` decorators (no Nest CLI plugin, so it is the same under Vitest).
 * The routes are the platform's own (Express or Fastify), outside Nest's guards: no session.
 */
export function setUpApiDocs(app: INestApplication, config: AppConfig): void {
  const cookieName = `${config.production ? HOST_PREFIX : ''}${DEFAULT_SESSION_OPTIONS.cookie.name}`;
  const description = new DocumentBuilder()
    .setTitle('nest-redis-session sample app')
    .setDescription(
      'Sessions in Redis behind an HTTP-only cookie. Every error body is ' +
        '`{statusCode, error, message}`; routes that need Redis answer 503 with Retry-After ' +
        'while it is unreachable.',
    )
    .setVersion('1.0')
    .addCookieAuth(
      cookieName,
      { type: 'apiKey', in: 'cookie', name: cookieName, description: 'The session token.' },
      SESSION_COOKIE_SCHEME,
    )
    .build();
  SwaggerModule.setup(
    API_DOCS_PATH.slice(1),
    app,
    () => SwaggerModule.createDocument(app, description),
    { jsonDocumentUrl: API_DOCS_JSON_PATH.slice(1) },
  );
}
