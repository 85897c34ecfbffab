import { SetMetadata } from '@nestjs/common';
import { ELEVATION_REQUIRED_METADATA } from '../session.constants.js';

/**
 * The route needs a session in step-up ("sudo") mode, set by `SessionService.elevate()` after
 * the user re-entered their password; otherwise `SessionGuard` answers 403.
 *
 * @example
 * ＠RequireElevation()
 * ＠Delete('account')
 * deleteAccount() {}
 *
 * @publicApi
 */
export const RequireElevation = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ELEVATION_REQUIRED_METADATA, true);
