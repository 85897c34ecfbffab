import {
  ForbiddenException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import { requestHeader } from '../http/http-exchange.js';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import { readSessionCookie } from '../http/session-cookie.js';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import { REFUSE_CROSS_SITE_METADATA, RESOLVED_SESSION_OPTIONS } from '../session.constants.js';
import { isUnsafeMethod, judgeCrossSite } from './cross-site-request.js';

/**
 * Registered globally by SessionModule (turn off with `csrf: { enabled: false }`). Refuses with
 * 403 an unsafe request (POST, PUT, PATCH, DELETE) that carries the session cookie when the
 * browser marks it cross-site or its Origin is foreign: the second line of defence behind
 * SameSite=Lax, which older browsers and same-site attackers get around. Costs no Redis call.
 * On routes marked `@RefuseCrossSite()` (a login) it refuses them without the cookie too.
 *
 * With `csrf.synchronizerToken` on, such a request with a live session must also carry the
 * session's token in the configured header. Reading the session for it is the read the request
 * makes anyway: it is loaded once and shared with the session guard and the handler.
 */
@Injectable()
export class SessionCsrfGuard implements CanActivate {
  private readonly trustedOrigins: ReadonlySet<string>;

  constructor(
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly lifecycle: RequestSessionLifecycle,
    private readonly reflector: Reflector,
  ) {
    this.trustedOrigins = new Set(options.csrf.trustedOrigins);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.options.csrf.enabled || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<object>();
    const cookie = readSessionCookie(requestHeader(request, 'cookie'), this.options.cookie.name);
    if (!cookie.present && !(isUnsafeMethod(request) && this.refusesCrossSite(context))) {
      return true;
    }
    if (judgeCrossSite(request, this.trustedOrigins) !== null) {
      throw new ForbiddenException(SessionErrorMessages.crossSiteRequest);
    }
    const tokenHeader = this.options.csrf.synchronizerTokenHeader;
    if (tokenHeader === undefined || !cookie.present || !isUnsafeMethod(request)) return true;
    const session = await this.lifecycle.load(request).catch((error: unknown) => {
      this.lifecycle.markRetryAfter(error, http.getResponse<object>());
      throw error;
    });
    // A cookie that names no live session lends the request no session to abuse (and the
    // user could never get a token for it): such a request is as anonymous as one without.
    if (!session.isPersisted) return true;
    if (session.acceptsCsrfToken(requestHeader(request, tokenHeader))) return true;
    throw new ForbiddenException(SessionErrorMessages.csrfTokenInvalid);
  }

  // Looked up only for unsafe requests without the cookie: a Reflector lookup allocates.
  private refusesCrossSite(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean | undefined>(REFUSE_CROSS_SITE_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }
}
