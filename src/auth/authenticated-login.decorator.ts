import { createParamDecorator, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { AppErrorMessages } from '../app-error-messages.js';
import type { LoginResult } from './login-result.js';

/**
 * The login `LocalAuthGuard` verified in this request: the user and their session generation.
 *
 * @example
 * login(@AuthenticatedLogin() { user, generation }: LoginResult) {}
 */
export const AuthenticatedLogin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): LoginResult => {
    const { user } = context.switchToHttp().getRequest<Request & { user?: LoginResult }>();
    if (user === undefined) throw new UnauthorizedException(AppErrorMessages.invalidCredentials);
    return user;
  },
);
