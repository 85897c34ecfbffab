import { ServiceUnavailableException } from '@nestjs/common';
import { SessionErrorMessages } from './session-error-messages.js';

/**
 * Redis did not answer in time or refused the command. It is an HTTP 503 by nature, so even an
 * application filter that catches HttpExceptions answers 503; the module's own filter also
 * adds `Retry-After`.
 *
 * @publicApi
 */
export class SessionStoreUnavailableError extends ServiceUnavailableException {
  override readonly name = 'SessionStoreUnavailableError';

  /** `message` replaces the default text, e.g. for a health check that names Redis. */
  constructor(options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? SessionErrorMessages.storeUnavailable, { cause: options?.cause });
  }
}
