import { SetMetadata } from '@nestjs/common';
import { PUBLIC_ROUTE_METADATA } from '../session.constants.js';

/**
 * Marks a route or controller as reachable without a session, even under a global
 * `SessionGuard`. The handler can still read and write `@CurrentSession()`. On a controller it
 * covers the handlers that ask for nothing themselves: one with its own `@RequireRoles()` or
 * `@RequireElevation()` still needs a session that has them.
 *
 * @example
 * ＠Public()
 * ＠Post('login')
 * login() {}
 *
 * @publicApi
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(PUBLIC_ROUTE_METADATA, true);
