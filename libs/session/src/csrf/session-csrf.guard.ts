import {
  ForbiddenException,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import { requestHeader } from '../http/http-exchange.js';
import { readSessionCookie } from '../http/session-cookie.js';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.constants.js';
import { judgeCrossSite } from './cross-site-request.js';

/**
 * Registered globally by SessionModule (turn off with `csrf: { enabled: false }`). Refuses with
 * 403 an unsafe request (POST, PUT, PATCH, DELETE) that carries the session cookie when the
 * browser marks it cross-site or its Origin is foreign: the second line of defence behind
 * SameSite=Lax, which older browsers and same-site attackers get around. Costs no Redis call.
 */
@Injectable()
export class SessionCsrfGuard implements CanActivate {
  private readonly trustedOrigins: ReadonlySet<string>;

  constructor(@Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions) {
    this.trustedOrigins = new Set(options.csrf.trustedOrigins);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.options.csrf.enabled || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<object>();
    const cookie = readSessionCookie(requestHeader(request, 'cookie'), this.options.cookie.name);
    if (!cookie.present) return true;
    if (judgeCrossSite(request, this.trustedOrigins) === null) return true;
    throw new ForbiddenException(SessionErrorMessages.crossSiteRequest);
  }
}
