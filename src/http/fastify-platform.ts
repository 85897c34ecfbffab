import { STATUS_CODES, type ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppErrorMessages } from '../app-error-messages.js';
import type { TrustProxySetting } from '../config/app-config.js';
import { PAGE_ASSETS_DIR, PAGE_ASSETS_PREFIX } from '../pages/page-files.js';
import { bodyParseErrorToHttpException } from './body-parse-error.js';
import type { CreateAppOnPlatform } from './http-platform.js';
import { jsonBodyParser } from './json-body-parser.js';
import { securityHeaders } from './security-headers.js';

// As long as any URL Node accepts (its request line and headers share 16 KiB).
const MAX_PARAM_LENGTH = 16 * 1024;

/** The app on `@nestjs/platform-fastify` (`HTTP_ADAPTER=fastify`); it never sends X-Powered-By. */
export const createFastifyApp: CreateAppOnPlatform = async (module, settings, options) => {
  const headers = securityHeaders(settings.production);
  const adapter = new FastifyAdapter({
    trustProxy: fastifyTrustProxy(settings.trustProxy),
    routerOptions: {
      // Express's routing: `/me/` and `/ME` are `/me` (parameters keep their case).
      ignoreTrailingSlash: true,
      caseSensitive: false,
      // Fastify answers 414 for a route parameter over 100 characters; Express passes it to
      // the route, which answers as for any unknown id (404). Node's 16 KiB limit still holds.
      maxParamLength: MAX_PARAM_LENGTH,
    },
    // The router refuses a path it cannot decode (`/%ZZ`) before any hook runs, with a body
    // that quotes the path and without the security headers: both are put right here.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const text = STATUS_CODES[status] ?? 'Bad Request';
      const message = error.code === 'FST_ERR_BAD_URL' ? AppErrorMessages.malformedUrl : text;
      headers(request.raw, reply.raw, () => {
        void reply.code(status).send({ message, error: text, statusCode: status });
      });
    },
  });
  // Nest's own parsers would take urlencoded forms too: only `jsonBodyParser` parses bodies.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    ...options,
    bodyParser: false,
  });
  // The same helmet middleware as on Express. It runs in an onRequest hook, before routing
  // and body parsing, so 404s and parser errors carry the headers too.
  app.use(settings.requestLogging);
  app.use(headers);
  parseJsonBodiesOnly(app, settings.jsonBodyLimit);
  // Registered directly rather than through `useStaticAssets`, whose option types are older than
  // @fastify/static 10 (`setHeaders` receives the reply).
  await app.register(fastifyStatic, {
    root: PAGE_ASSETS_DIR,
    prefix: `${PAGE_ASSETS_PREFIX}/`,
    index: false,
    redirect: false,
    // A route per file found at start, so every other path under the prefix (the folder
    // itself, a missing file) gets the app's own 404, as on Express, not 403 from @fastify/send.
    wildcard: false,
    // Leaves the `Cache-Control: no-store` of `securityHeaders` in place, as serve-static does.
    cacheControl: false,
    // @fastify/send's MIME table still says application/javascript, obsolete since RFC 9239;
    // serve-static on Express sends text/javascript.
    setHeaders: (reply, path) => {
      if (path.endsWith('.js')) reply.header('content-type', 'text/javascript; charset=utf-8');
    },
  });
  return app;
};

/**
 * Fastify's built-in parsers (JSON, and text/plain, which a cross-site form can send) give way
 * to the one catch-all parser below: the same body-parser as on Express, with the same limit
 * and the same errors. It leaves a body of any other type unread and `body` undefined, as
 * Express does, instead of Fastify's 415. So the routes see exactly what they see on Express,
 * and Fastify's own `bodyLimit` is not used: it applies only to its built-in parsers.
 */
function parseJsonBodiesOnly(app: NestFastifyApplication, limit: string): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = jsonBodyParser(limit);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    // body-parser reads Node's request; it touches the response only for a `verify` option.
    parse(request.raw, undefined as unknown as ServerResponse, (error?: unknown) => {
      if (error != null) done(bodyParseErrorToHttpException(error, limit) as Error);
      else done(null, (request.raw as { body?: unknown }).body);
    });
  });
}

type FastifyTrustProxy = boolean | string | ((address: string, hop: number) => boolean);

/**
 * `TRUST_PROXY` with Express's meaning. Fastify reads addresses, subnets and presets alike
 * (both use proxy-addr), but takes a bare hop count as "trust nothing"; Express trusts that
 * many hops nearest the app, which is what an operator writing `TRUST_PROXY=1` means.
 */
function fastifyTrustProxy(setting: TrustProxySetting | undefined): FastifyTrustProxy {
  if (setting === undefined) return false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}
