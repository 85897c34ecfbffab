import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpLogger } from 'pino-http';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.js';
import { requestLogContext } from './request-log-context.js';

/** A middleware on the raw Node request and response, as both platforms' `app.use` take. */
export type RawMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: () => void,
) => void;

/**
 * Gives each request its id and its logger (pino-http), and runs the rest of the request with
 * that logger as the one Nest's lines go to. Each platform registers it before anything else,
 * so static assets, `/docs` and the body parser's refusals are logged with an id as well.
 */
export function requestLogging(httpLogger: HttpLogger): RawMiddleware {
  return (request, response, next) => {
    // Set here rather than in pino-http's `genReqId`, which it skips when the request has an id
    // already, as Fastify's raw request does (its own counter, "req-1").
    request.id = requestIdFor(request.headers['x-request-id']);
    response.setHeader(REQUEST_ID_HEADER, request.id);
    httpLogger(request, response);
    // The logger pino-http made for this request is the last of `allLogs`; `request.log` may be
    // another's, as on Fastify, whose raw request carries Fastify's own (disabled) logger.
    const requestLogger = request.allLogs.at(-1) ?? httpLogger.logger;
    requestLogContext.run(requestLogger, next);
  };
}
