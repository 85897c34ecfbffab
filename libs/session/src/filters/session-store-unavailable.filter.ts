import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { setResponseHeader } from '../http/http-exchange.js';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.constants.js';

/**
 * Answers 503 with `Retry-After` when Redis could not serve a request's session, and reports the
 * failure (`store-unavailable`) unless it was reported on its way here.
 */
@Catch(SessionStoreUnavailableError)
export class SessionStoreUnavailableFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly lifecycle: RequestSessionLifecycle,
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
  ) {}

  catch(exception: SessionStoreUnavailableError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<object>();
    setResponseHeader(response, 'Retry-After', String(this.options.retryAfterSeconds));
    this.lifecycle.reportUnavailable(exception);
    this.adapterHost.httpAdapter.reply(response, exception.getResponse(), exception.getStatus());
  }
}
