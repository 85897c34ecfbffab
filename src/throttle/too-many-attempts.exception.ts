import { HttpException, HttpStatus } from '@nestjs/common';
import { AppErrorMessages } from '../app-error-messages.js';

/**
 * 429: a password may not be tried now. The body is the same whoever the account is (known,
 * unknown) and whichever budget ran out; `retryAfterSeconds` becomes `Retry-After`.
 */
export class TooManyAttemptsException extends HttpException {
  override readonly name = 'TooManyAttemptsException';

  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: AppErrorMessages.tooManyAttempts,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
