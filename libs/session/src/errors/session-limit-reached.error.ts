import { ConflictException } from '@nestjs/common';
import { SessionErrorMessages } from './session-error-messages.js';

/** A login was refused because the user already has `maxSessionsPerUser` sessions. @publicApi */
export class SessionLimitReachedError extends ConflictException {
  override readonly name = 'SessionLimitReachedError';

  constructor() {
    super(SessionErrorMessages.sessionLimitReached);
  }
}
