import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, concatMap, from, switchMap, throwError, type Observable } from 'rxjs';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import type { RequestSession } from '../http/request-session.js';

/**
 * Put on each handler that takes `@CurrentSession()` by that decorator (not global: other routes
 * skip it). Makes sure the session is loaded before the handler, then saves what the handler
 * changed, once, and sets or clears the cookie.
 */
@Injectable()
export class SessionCommitInterceptor implements NestInterceptor {
  constructor(private readonly lifecycle: RequestSessionLifecycle) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const response = http.getResponse<object>();
    const handleAndCommit = (session: RequestSession) =>
      next.handle().pipe(
        concatMap(async (body: unknown) => {
          await this.lifecycle.commit(session, response);
          return body;
        }),
      );
    // The guard usually loaded the session already: no need to wait on its promise again.
    const loaded = this.lifecycle.beginCommit(request);
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
}
