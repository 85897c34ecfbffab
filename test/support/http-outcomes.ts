import type { Response } from 'supertest';
import { pollFor, observe, type Outcome } from './redis-topologies.js';

/** An answer the app may give while Redis fails over: 503 with a `Retry-After` of 1 s or more. */
export function isServiceUnavailable(response: Pick<Response, 'status' | 'headers'>): boolean {
  return response.status === 503 && Number(response.headers['retry-after']) >= 1;
}

class HttpAnswer extends Error {
  constructor(
    readonly kind: 'unavailable' | 'unexpected',
    response: Pick<Response, 'status' | 'text'>,
  ) {
    super(`${response.status} ${response.text.slice(0, 200)}`);
  }
}

export interface HttpObservation {
  /** The answer the request is meant to get (e.g. 200 with the right user). */
  isOk: (response: Response) => boolean;
  /** Free-form tag, e.g. which shard the request's session lives on. */
  label?: string;
  /** Still unanswered after this: `hung`. Default 5000 ms. */
  hangGuardMs?: number;
}

/**
 * Sends one request and sorts its answer, for traffic during a fault: `ok` when `isOk`,
 * `unavailable` for 503 with `Retry-After` (allowed while Redis fails over), `unexpected` for
 * anything else (a 401 means a lost session, a 500 a bug) and `hung` when it takes too long.
 */
export function observeHttp(
  send: () => PromiseLike<Response>,
  { isOk, label, hangGuardMs }: HttpObservation,
): Promise<Outcome> {
  return observe(
    async () => {
      const response = await send();
      if (isOk(response)) return true;
      throw new HttpAnswer(isServiceUnavailable(response) ? 'unavailable' : 'unexpected', response);
    },
    {
      isExpected: (answered) => answered,
      classifyError: (error) =>
        error instanceof HttpAnswer
          ? { kind: error.kind, detail: error.message }
          : { kind: 'unexpected', detail: `request failed: ${String(error)}` },
      ...(label !== undefined && { label }),
      ...(hangGuardMs !== undefined && { hangGuardMs }),
    },
  );
}

/**
 * Sends `send()` every 50 ms until it gets something other than a 503 with `Retry-After`, and
 * resolves that answer; rejects after `timeoutMs`.
 */
export function firstAnswerAfterUnavailable(
  what: string,
  send: () => PromiseLike<Response>,
  timeoutMs: number,
): Promise<Response> {
  return pollFor(
    what,
    async () => {
      const response = await send();
      return isServiceUnavailable(response) ? undefined : response;
    },
    timeoutMs,
  );
}
