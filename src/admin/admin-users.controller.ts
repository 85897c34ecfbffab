import {
  Body,
  Controller,
  Delete,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  CurrentSession,
  RequireElevation,
  RequireRoles,
  type Session,
  SessionService,
} from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { type Role, USER_ID_PATTERN, withBaseRole } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';
import { SetRolesDto } from './dto/set-roles.dto.js';

/** Body of a successful `POST /admin/users/:id/roles`. */
export interface UserRolesView {
  id: string;
  roles: Role[];
}

/**
 * What an admin does to other accounts. Every route needs an admin session in step-up mode
 * (`POST /auth/elevate`); `SessionGuard` answers 403 otherwise, before the body is read.
 */
@Controller('admin/users')
@RequireRoles('admin')
@RequireElevation()
export class AdminUsersController {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionService,
  ) {}

  /**
   * Replaces the user's roles (`user` is always kept). Each of their sessions sees the new
   * roles on its next request, whose response also rotates its token.
   */
  @Post(':id/roles')
  @HttpCode(HttpStatus.OK)
  async setRoles(@Param('id') id: string, @Body() body: SetRolesDto): Promise<UserRolesView> {
    const roles = withBaseRole(body.roles);
    // The record first: a login that reads it from now on establishes its session with the new
    // roles, and updateUser() then reaches every session that exists already.
    const stored = USER_ID_PATTERN.test(id) && (await this.users.setRoles(id, roles));
    if (!stored) throw new NotFoundException(AppErrorMessages.userNotFound);
    await this.sessions.updateUser(id, { roles });
    return { id, roles };
  }

  /** Logs the user out everywhere, also refusing their logins in flight. */
  @Delete(':id/sessions')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logOutEverywhere(
    @Param('id') id: string,
    @CurrentSession() session: Session,
  ): Promise<void> {
    const user = USER_ID_PATTERN.test(id) ? await this.users.findById(id) : null;
    if (user === null) throw new NotFoundException(AppErrorMessages.userNotFound);
    await this.sessions.revokeAll(id);
    // An admin who logged themselves out everywhere gets their own cookie cleared too.
    if (id === session.userId) await this.sessions.destroy(session);
  }
}
