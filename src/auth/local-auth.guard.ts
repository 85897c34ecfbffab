import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AppErrorMessages } from '../app-error-messages.js';

/**
 * Runs the local strategy and puts the user on the request. Passport keeps no session of its
 * own (`session: false` is the default): the session is established through `SessionService`.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  // Passport reports a body without both fields as a bare failure; without this override it
  // would become a 401 lacking the message (and the `error` field) of every other failed login.
  override handleRequest<TUser>(error: unknown, user: TUser | false | null): TUser {
    if (error instanceof Error) throw error;
    if (!user) throw new UnauthorizedException(AppErrorMessages.invalidCredentials);
    return user;
  }
}
