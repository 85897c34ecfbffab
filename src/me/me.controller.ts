import { Controller, Get, UnauthorizedException } from '@nestjs/common';
import { CurrentSession, type Session } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { toPublicUser, type PublicUser } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';

@Controller('me')
export class MeController {
  constructor(private readonly users: UsersRepository) {}

  /** The signed-in user; 401 (from the global guard) without a session. */
  @Get()
  async me(@CurrentSession() session: Session): Promise<PublicUser> {
    const user = session.userId === null ? null : await this.users.findById(session.userId);
    // A session can outlive its user: it then authenticates no one.
    if (user === null) throw new UnauthorizedException(AppErrorMessages.userGone);
    return toPublicUser(user);
  }
}
