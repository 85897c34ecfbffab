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
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  CurrentSession,
  RequireElevation,
  RequireRoles,
  type Session,
  SessionService,
} from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import {
  ApiCrossSiteRefused,
  ApiJsonBody,
  ApiSessionRequired,
  ApiStoreUnavailable,
} from '../docs/api-responses.decorator.js';
import { ErrorResponse } from '../http/error-response.js';
import { USER_ID_PATTERN, withBaseRole } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';
import { SetRolesDto } from './dto/set-roles.dto.js';
import { UserRolesResponse } from './dto/user-roles-response.js';

/**
 * What an admin does to other accounts. Every route needs an admin session in step-up mode
 * (`POST /auth/elevate`); `SessionGuard` answers 403 otherwise, before the body is read.
 */
@ApiTags('admin')
@ApiSessionRequired()
@ApiCrossSiteRefused(
  'The caller is not an admin in step-up mode (POST /auth/elevate), or the request is cross-site.',
)
@ApiStoreUnavailable()
@ApiParam({ name: 'id', description: 'The user id.' })
@ApiNotFoundResponse({ type: ErrorResponse, description: 'No such user.' })
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
  @ApiJsonBody(SetRolesDto, 'Not a list of at most 16 lowercase role names.')
  @ApiOkResponse({
    type: UserRolesResponse,
    description:
      "The user's sessions see the new roles on their next request, which rotates their token.",
  })
  async setRoles(@Param('id') id: string, @Body() body: SetRolesDto): Promise<UserRolesResponse> {
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
  @ApiNoContentResponse({ description: 'The user is logged out everywhere.' })
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
