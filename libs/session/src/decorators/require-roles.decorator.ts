import { SetMetadata } from '@nestjs/common';
import { ROLES_REQUIRED_METADATA } from '../session.constants.js';

/**
 * The route needs a session whose roles include every one given; otherwise `SessionGuard`
 * answers 403. On a handler it replaces the controller's list (the most specific one decides).
 *
 * @example
 * ＠RequireRoles('admin')
 * ＠Post('users/:id/roles')
 * setRoles() {}
 *
 * @publicApi
 */
export const RequireRoles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_REQUIRED_METADATA, roles);
