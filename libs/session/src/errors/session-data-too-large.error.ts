import { PayloadTooLargeException } from '@nestjs/common';
import { SessionErrorMessages } from './session-error-messages.js';

/**
 * The session's data would exceed `maxDataBytes`. Nothing was written. It is a 413 by nature, so
 * an app that lets a client grow its session (a cart, drafts) answers it plainly. @publicApi
 */
export class SessionDataTooLargeError extends PayloadTooLargeException {
  override readonly name = 'SessionDataTooLargeError';

  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(SessionErrorMessages.dataTooLarge(bytes, maxBytes));
  }
}
