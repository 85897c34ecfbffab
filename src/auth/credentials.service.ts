import { Injectable, UnauthorizedException } from '@nestjs/common';
import { type Session, SessionService } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { sessionUserId } from '../http/session-user-id.js';
import { LoginThrottle } from '../throttle/login-throttle.js';
import type { User } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';
import type { PasswordChangeDto } from './dto/password-change.dto.js';
import { PasswordHasher } from './password-hasher.js';

/** Re-checks the signed-in user's password: for step-up and for a password change. */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * The session's user when `password` is theirs. A wrong (or `null`) password is a 401 with
   * the login's message; a session that outlived its user, the usual 401. Each password tried
   * counts against the account's login budget (429 once it is spent), so a stolen cookie is no
   * way around login throttling.
   */
  async confirmPassword(session: Session, password: string | null): Promise<User> {
    const user = await this.users.findById(sessionUserId(session));
    if (user === null) throw new UnauthorizedException(AppErrorMessages.userGone);
    if (password === null) throw new UnauthorizedException(AppErrorMessages.invalidCredentials);
    await this.throttle.admitPasswordCheck(user.email);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      throw new UnauthorizedException(AppErrorMessages.invalidCredentials);
    }
    await this.throttle.passwordCheckSucceeded(user.email);
    return user;
  }

  /**
   * Stores the new password's hash, then gives this session a new token and revokes every
   * other session of the user. Both have reached Redis when this resolves, so the other
   * sessions are dead, on every app instance, before the response is sent.
   */
  async changePassword(
    session: Session,
    { currentPassword, newPassword }: PasswordChangeDto,
  ): Promise<void> {
    const user = await this.confirmPassword(session, currentPassword);
    const passwordHash = await this.hasher.hash(newPassword);
    // Compare-and-set: if another change (or a login's rehash) stored a hash since ours was
    // verified, the password checked here is no longer the current one.
    if (!(await this.users.replacePasswordHash(user.id, user.passwordHash, passwordHash))) {
      throw new UnauthorizedException(AppErrorMessages.invalidCredentials);
    }
    // After the hash is stored, never before: the revocation bumps the user's generation, which
    // refuses any login that verified the old password (see LocalStrategy).
    await this.sessions.credentialsChanged(session);
  }
}
