import { SessionErrorMessages } from './session-error-messages.js';

/** A value in `session.data` cannot be stored (BigInt, cycle, function, symbol). Nothing is written. */
export class SessionDataError extends Error {
  override readonly name = 'SessionDataError';

  constructor(
    readonly key: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(SessionErrorMessages.unserializableValue(key, reason), options);
  }
}
