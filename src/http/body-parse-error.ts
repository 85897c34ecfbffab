import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/**
 * What the JSON body parser's error becomes, on either platform: a Nest exception with a fixed
 * message, so the reply has Nest's full `{statusCode, error, message}` shape and never quotes
 * the parser's own text, which can echo part of the body (`JSON.parse` messages do).
 */
export function bodyParseErrorToHttpException(error: unknown, limit: string): unknown {
  const status = clientErrorStatus(error);
  switch (status) {
    case undefined:
      // Not a client error: left alone, so it is logged and answered as a 500.
      return error;
    case 400:
      return new BadRequestException('Malformed JSON body', { cause: error });
    case 413:
      return new PayloadTooLargeException(`Request body exceeds ${limit}`, { cause: error });
    case 415:
      return new UnsupportedMediaTypeException('Unsupported body charset or encoding', {
        cause: error,
      });
    default: {
      const text = STATUS_CODES[status] ?? 'Bad Request';
      return new HttpException({ statusCode: status, error: text, message: text }, status, {
        cause: error,
      });
    }
  }
}

/** The 4xx status an http-errors error (what body-parser throws) carries, if any. */
function clientErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || !('status' in error)) return undefined;
  const { status } = error;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
