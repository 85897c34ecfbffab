import { SetMetadata } from '@nestjs/common';
import { PUBLIC_ROUTE_METADATA } from '../session.constants.js';

/**
 * Marks a route or controller as reachable without a session, even under a global
 * `SessionGuard`. The handler can still read and write `@CurrentSession()`.
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
