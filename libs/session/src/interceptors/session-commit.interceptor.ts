import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, concatMap, from, switchMap, throwError, type Observable } from 'rxjs';
import {
  RequestSessionLifecycle,
  loadedRequestSession,
} from '../http/request-session.lifecycle.js';
import type { RequestSession } from '../http/request-session.js';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';

/**
 * Registered globally by SessionModule. Makes sure the session is loaded before a handler that
 * asks for it, then saves what the handler changed, once, and sets or clears the cookie.
 * Routes that never touch the session cost nothing and keep working while Redis is down.
 */
@Injectable()
export class SessionCommitInterceptor implements NestInterceptor {
  private readonly handlersAskingForSession = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly lifecycle: RequestSessionLifecycle,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const usesSession = this.lifecycle.isLoading(request) || this.asksForSession(context);
    if (!usesSession) return next.handle();
    const response = http.getResponse<object>();
    const handleAndCommit = (session: RequestSession) =>
      next.handle().pipe(
        concatMap(async (body: unknown) => {
          await this.lifecycle.commit(session, response);
          return body;
        }),
      );
    // The guard usually loaded the session already: no need to wait on its promise again.
    const loaded = loadedRequestSession(request);
    const handled = loaded
      ? handleAndCommit(loaded)
      : from(this.lifecycle.load(request)).pipe(switchMap(handleAndCommit));
    return handled.pipe(
      catchError((error: unknown) => {
        this.lifecycle.markRetryAfter(error, response);
        return throwError(() => error);
      }),
    );
  }

  // Read once per handler: its parameter decorators are fixed when the class is defined.
  private asksForSession(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let asks = this.handlersAskingForSession.get(handler);
    if (asks === undefined) {
      asks = this.reflector.get<boolean | undefined>(SESSION_PARAMETER_METADATA, handler) === true;
      this.handlersAskingForSession.set(handler, asks);
    }
    return asks;
  }
}
