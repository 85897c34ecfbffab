import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TooManyAttemptsException } from './too-many-attempts.exception.js';

/** Answers `TooManyAttemptsException` with its 429 body and `Retry-After`. */
@Catch(TooManyAttemptsException)
export class TooManyAttemptsFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: TooManyAttemptsException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<object>();
    const { httpAdapter } = this.adapterHost;
    // Through the adapter: an Express response and a Fastify reply set headers differently.
    httpAdapter.setHeader(response, 'Retry-After', String(exception.retryAfterSeconds));
    httpAdapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
