import { Controller, Get, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentSession, type Session } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { ApiSessionRequired, ApiStoreUnavailable } from '../docs/api-responses.decorator.js';
import { PublicUserResponse } from '../users/dto/public-user-response.js';
import { toPublicUser, type PublicUser } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';

@ApiTags('account')
@ApiStoreUnavailable()
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersRepository) {}

  /** The signed-in user; 401 (from the global guard) without a session. */
  @Get()
  @ApiSessionRequired()
  @ApiOkResponse({ type: PublicUserResponse })
  async me(@CurrentSession() session: Session): Promise<PublicUser> {
    const user = session.userId === null ? null : await this.users.findById(session.userId);
    // A session can outlive its user: it then authenticates no one.
    if (user === null) throw new UnauthorizedException(AppErrorMessages.userGone);
    return toPublicUser(user);
  }
}
