import { createParamDecorator, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { AppErrorMessages } from '../app-error-messages.js';
import type { User } from '../users/user.js';

/**
 * The user `LocalAuthGuard` authenticated in this request.
 *
 * @example
 * login(@AuthenticatedUser() user: User) {}
 */
export const AuthenticatedUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): User => {
    const { user } = context.switchToHttp().getRequest<Request & { user?: User }>();
    if (user === undefined) throw new UnauthorizedException(AppErrorMessages.invalidCredentials);
    return user;
  },
);
