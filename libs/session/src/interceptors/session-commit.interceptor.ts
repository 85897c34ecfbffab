import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, concatMap, from, switchMap, throwError, type Observable } from 'rxjs';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';

/**
 * Registered globally by SessionModule. Makes sure the session is loaded before a handler that
 * asks for it, then saves what the handler changed, once, and sets or clears the cookie.
 * Routes that never touch the session cost nothing and keep working while Redis is down.
 */
@Injectable()
export class SessionCommitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly lifecycle: RequestSessionLifecycle,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const usesSession =
      this.lifecycle.isLoading(request) ||
      this.reflector.get<boolean | undefined>(SESSION_PARAMETER_METADATA, context.getHandler()) ===
        true;
    if (!usesSession) return next.handle();
    const response = http.getResponse<object>();
    return from(this.lifecycle.load(request)).pipe(
      switchMap((session) =>
        next.handle().pipe(
          concatMap(async (body: unknown) => {
            await this.lifecycle.commit(session, response);
            return body;
          }),
        ),
      ),
      catchError((error: unknown) => {
        this.lifecycle.markRetryAfter(error, response);
        return throwError(() => error);
      }),
    );
  }
}
