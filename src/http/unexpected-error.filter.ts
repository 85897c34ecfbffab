import {
  type ArgumentsHost,
  Catch,
  HttpException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { AppErrorMessages } from '../app-error-messages.js';

// Nest's answer to a path no route matches quotes the method and path back ("Cannot GET /x"):
// whatever a client put in the URL, a token included, would be echoed in the body.
const ROUTE_NOT_FOUND = /^Cannot [A-Z]+ /;

/**
 * Answers an error that is not an `HttpException` (a bug) with a 500 in Nest's full
 * `{statusCode, error, message}` shape instead of the built-in `{statusCode, message}`, and
 * logs it on the server only. HttpExceptions are answered exactly as Nest does, except that an
 * unknown route gets a fixed message instead of its own path quoted back.
 */
@Catch()
export class UnexpectedErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof NotFoundException && ROUTE_NOT_FOUND.test(exception.message)) {
      super.catch(new NotFoundException(AppErrorMessages.routeNotFound), host);
      return;
    }
    if (exception instanceof HttpException) {
      super.catch(exception, host);
      return;
    }
    this.logger.error(exception);
    super.catch(new InternalServerErrorException('Internal server error'), host);
  }
}
