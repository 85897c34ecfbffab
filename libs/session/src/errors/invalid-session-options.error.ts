import { SessionErrorMessages } from './session-error-messages.js';

/** Thrown at boot when an option is wrong; names the option and the accepted values. */
export class InvalidSessionOptionsError extends Error {
  override readonly name = 'InvalidSessionOptionsError';

  constructor(
    readonly option: string,
    received: unknown,
    expected: string,
  ) {
    super(SessionErrorMessages.invalidOption(option, received, expected));
  }
}
