import {
  type ArgumentsHost,
  Catch,
  HttpException,
  InternalServerErrorException,
  Logger,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * Answers an error that is not an `HttpException` (a bug) with a 500 in Nest's full
 * `{statusCode, error, message}` shape instead of the built-in `{statusCode, message}`, and
 * logs it on the server only. HttpExceptions are answered exactly as Nest does.
 */
@Catch()
export class UnexpectedErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      super.catch(exception, host);
      return;
    }
    this.logger.error(exception);
    super.catch(new InternalServerErrorException('Internal server error'), host);
  }
}
