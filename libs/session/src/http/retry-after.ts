import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { setResponseHeader, type HttpResponseLike } from './http-exchange.js';

/**
 * Puts `Retry-After` on the response as soon as a store failure is seen, so the 503 carries it
 * whichever exception filter (the module's or an application catch-all) writes the body.
 */
export function markRetryAfter(
  error: unknown,
  response: HttpResponseLike,
  retryAfterSeconds: number,
): void {
  if (error instanceof SessionStoreUnavailableError) {
    setResponseHeader(response, 'Retry-After', String(retryAfterSeconds));
  }
}
