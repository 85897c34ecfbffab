import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import {
  ELEVATION_REQUIRED_METADATA,
  PUBLIC_ROUTE_METADATA,
  ROLES_REQUIRED_METADATA,
} from '../session.constants.js';

/**
 * Lets a request through only with an authenticated session; otherwise 401 in Nest's error
 * shape. Use it globally (`APP_GUARD`) or with `@UseGuards(SessionGuard)`; `@Public()` opts out.
 * Routes marked `@RequireRoles()` or `@RequireElevation()` also need those (403 otherwise).
 * When Redis cannot answer, the request gets 503 with `Retry-After` instead.
 *
 * @publicApi
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly lifecycle: RequestSessionLifecycle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const http = context.switchToHttp();
    const session = await this.lifecycle.load(http.getRequest<object>()).catch((error: unknown) => {
      this.lifecycle.markRetryAfter(error, http.getResponse<object>());
      throw error;
    });
    if (session.userId === null) {
      // The handler will not run, so this is the last chance to drop a dead cookie.
      this.lifecycle.writeCookie(session, http.getResponse<object>());
      throw new UnauthorizedException(SessionErrorMessages.unauthenticated);
    }
    const targets = [context.getHandler(), context.getClass()];
    const roles =
      this.reflector.getAllAndOverride<string[] | undefined>(ROLES_REQUIRED_METADATA, targets) ??
      [];
    if (!roles.every((role) => session.roles.includes(role))) {
      throw new ForbiddenException(SessionErrorMessages.roleRequired);
    }
    if (
      this.reflector.getAllAndOverride<boolean | undefined>(ELEVATION_REQUIRED_METADATA, targets) &&
      !session.elevatedUntil
    ) {
      throw new ForbiddenException(SessionErrorMessages.elevationRequired);
    }
    return true;
  }
}
