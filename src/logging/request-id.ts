import { randomUUID } from 'node:crypto';

/** The header a request id comes in on (from a proxy or a client) and is echoed back on. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

// Short and plain: an id from outside ends up in every log line of the request, so it may not
// carry a newline, a quote, markup or a megabyte of text into them.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The incoming `X-Request-Id` when it is a sane short token, otherwise a fresh UUID. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
