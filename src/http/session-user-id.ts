import { UnauthorizedException } from '@nestjs/common';
import type { Session } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';

/**
 * The id of the user a session belongs to. The global `SessionGuard` lets only authenticated
 * sessions reach a non-public route, so the 401 here is a safety net, not a code path.
 */
export function sessionUserId(session: Session): string {
  if (session.userId === null) throw new UnauthorizedException(AppErrorMessages.userGone);
  return session.userId;
}
