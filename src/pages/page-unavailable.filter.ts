import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SessionStoreUnavailableError } from 'nest-redis-session';
import { readPage } from './page-files.js';

/**
 * On the pages, Redis being unreachable is answered with a short HTML page rather than the JSON
 * 503 of the API routes. The session module has already put `Retry-After` on the response.
 */
@Catch(SessionStoreUnavailableError)
export class PageUnavailableFilter implements ExceptionFilter {
  private readonly html = readPage('unavailable');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(_exception: SessionStoreUnavailableError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<object>();
    const { httpAdapter } = this.adapterHost;
    httpAdapter.setHeader(response, 'Content-Type', 'text/html; charset=utf-8');
    httpAdapter.setHeader(response, 'Cache-Control', 'no-store');
    httpAdapter.reply(response, this.html, HttpStatus.SERVICE_UNAVAILABLE);
  }
}
