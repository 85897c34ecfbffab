import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { AppErrorMessages } from '../app-error-messages.js';

// Nest's answer to a path no route matches quotes the method and path back ("Cannot GET /x"),
// and Express's to a path it cannot decode quotes that part ("Failed to decode param '%ZZ'"):
// whatever a client put in the URL, a token included, would be echoed in the body.
const ROUTE_NOT_FOUND = /^Cannot [A-Z]+ /;
const UNDECODABLE_PATH = /^Failed to decode param /;

/**
 * Answers an error that is not an `HttpException` (a bug) with a 500 in Nest's full
 * `{statusCode, error, message}` shape instead of the built-in `{statusCode, message}`, and
 * logs it on the server only. HttpExceptions are answered exactly as Nest does, except that an
 * unknown route or an undecodable path gets a fixed message instead of the path quoted back,
 * and one made from a bare message gets the `error` field too.
 */
@Catch()
export class UnexpectedErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof NotFoundException && ROUTE_NOT_FOUND.test(exception.message)) {
      super.catch(new NotFoundException(AppErrorMessages.routeNotFound), host);
      return;
    }
    if (exception instanceof HttpException && UNDECODABLE_PATH.test(exception.message)) {
      super.catch(new BadRequestException(AppErrorMessages.malformedUrl), host);
      return;
    }
    if (exception instanceof HttpException) {
      super.catch(withFullBody(exception), host);
      return;
    }
    this.logger.error(exception);
    super.catch(new InternalServerErrorException('Internal server error'), host);
  }
}

// `new HttpException('text', status)` answers `{statusCode, message}` only; so does Nest for the
// client errors Fastify raises itself (an unparseable Content-Type, say). The contract wants
// `error` in every error body.
function withFullBody(exception: HttpException): HttpException {
  const body = exception.getResponse();
  if (typeof body !== 'string') return exception;
  const status = exception.getStatus();
  return new HttpException(
    { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: body },
    status,
    { cause: exception },
  );
}
