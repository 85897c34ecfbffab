/**
 * Errors that mean "Redis cannot serve this now" (connection, timeout, failover), as opposed to
 * a bug such as a wrong command. These become 503 with Retry-After. @publicApi
 */
const UNAVAILABLE_MESSAGES = [
  'Command timed out',
  'Reached the max retries per request limit',
  'Connection is closed',
  "Stream isn't writeable",
  'Too many Cluster redirections',
  'Socket timeout',
  'Cluster isn',
  'None of startup nodes is available',
];
// OOM (maxmemory reached) and BUSY (a long script blocks the server) are capacity problems:
// retrying later is the right answer for them too.
const UNAVAILABLE_REPLY_PREFIXES = [
  'CLUSTERDOWN',
  'TRYAGAIN',
  'LOADING',
  'READONLY',
  'MASTERDOWN',
  'NOREPLICAS',
  'OOM',
  'BUSY',
];
const UNAVAILABLE_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
];

export function isRedisUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.includes(code)) return true;
  return (
    UNAVAILABLE_MESSAGES.some((text) => error.message.includes(text)) ||
    UNAVAILABLE_REPLY_PREFIXES.some((prefix) => error.message.startsWith(prefix))
  );
}
