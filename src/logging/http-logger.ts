import type { Level, Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

/**
 * The level of a request's "request completed" line. Answers that went well are `debug`: a
 * session layer serves thousands of them a second, and at the default `LOG_LEVEL=log` a line
 * each would cost more than the request and drown what matters. Refusals (4xx) are `info`, so
 * they are kept by default: a burst of 401s or 429s is what an operator looks for. A 503 is
 * `warn`: Redis being away is logged once per outage by the session module, and each refused
 * request is its consequence, not a new fault. Other failures (5xx) are `error`.
 * `LOG_LEVEL=debug` logs every request.
 */
export function requestLogLevel(statusCode: number, error: Error | undefined): Level {
  if (error !== undefined) return 'error';
  if (statusCode === 503) return 'warn';
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'info';
  return 'debug';
}

/** The app's `pino-http`: one line per answer, under the request's id (`request.id`). */
export function createHttpLogger(root: Logger): HttpLogger {
  return pinoHttp({
    logger: root,
    // Lines logged while handling a request carry its `reqId`; only the last one has it all.
    quietReqLogger: true,
    customLogLevel: (_request, response, error) => requestLogLevel(response.statusCode, error),
    // For a 5xx answer pino-http makes up an Error ("failed with status code 503") whose stack
    // is its own: the line keeps the status and time only. A real unexpected error is logged
    // with its stack by the exception filter, once.
    customErrorObject: (_request, _response, _error, line: Record<string, unknown>) => ({
      res: line['res'],
      responseTime: line['responseTime'],
    }),
    customErrorMessage: () => 'request failed',
    serializers: {
      // The path without its query string: whatever a client put there (a token pasted into a
      // link, an email) stays out of the logs.
      req: (request: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: request.id,
        method: request.method,
        url: request.url.split('?', 1)[0],
        remoteAddress: request.remoteAddress,
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  });
}
