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
import type { RequestSession } from '../http/request-session.js';
import { RouteSessionPolicies } from './route-session-policy.js';

/**
 * Lets a request through only with an authenticated session; otherwise 401 in Nest's error
 * shape. Use it globally (`APP_GUARD`) or with `@UseGuards(SessionGuard)`; `@Public()` opts out.
 * Routes marked `@RequireRoles()` or `@RequireElevation()` also need those (403 otherwise).
 * Handlers that are not HTTP routes (GraphQL, WebSocket, microservice) are refused unless
 * marked `@Public()`: the guard cannot read a session there, so it does not pretend to.
 * When Redis cannot answer, the request gets 503 with `Retry-After` instead.
 *
 * @publicApi
 */
@Injectable()
export class SessionGuard implements CanActivate {
  private readonly policies: RouteSessionPolicies;

  constructor(
    reflector: Reflector,
    private readonly lifecycle: RequestSessionLifecycle,
  ) {
    this.policies = new RouteSessionPolicies(reflector);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policies.of(context);
    if (policy.isPublic) return true;
    // Fail closed: as a global guard it also sees GraphQL resolvers, gateways and message
    // handlers, where it has no session to check. Letting them through would skip
    // @RequireRoles() and @RequireElevation() on them without a word.
    if (context.getType() !== 'http') {
      throw new UnauthorizedException(SessionErrorMessages.notAnHttpHandler);
    }
    const http = context.switchToHttp();
    let session: RequestSession;
    try {
      session = await this.lifecycle.load(http.getRequest<object>());
    } catch (error: unknown) {
      this.lifecycle.markRetryAfter(error, http.getResponse<object>());
      throw error;
    }
    if (session.userId === null) {
      // The handler will not run, so this is the last chance to drop a dead cookie.
      this.lifecycle.writeCookie(session, http.getResponse<object>());
      throw new UnauthorizedException(SessionErrorMessages.unauthenticated);
    }
    if (!policy.roles.every((role) => session.roles.includes(role))) {
      throw new ForbiddenException(SessionErrorMessages.roleRequired);
    }
    if (policy.elevation && !session.elevatedUntil) {
      throw new ForbiddenException(SessionErrorMessages.elevationRequired);
    }
    // A rotation scheduled for this session (its user's roles changed) is applied when the
    // response saves the session; a handler without @CurrentSession() saves none: apply it here.
    if (session.rotationDue && !policy.commitsAfterHandler) {
      const response = http.getResponse<object>();
      await this.lifecycle.commit(session, response).catch((error: unknown) => {
        this.lifecycle.markRetryAfter(error, response);
        throw error;
      });
    }
    return true;
  }
}
