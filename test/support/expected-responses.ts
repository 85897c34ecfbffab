// Response shapes the HTTP contract fixes, shared by the e2e tests.

/** A session token as the cookie carries it: 32 bytes in base64url. */
export const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The body of a 401 from the session guard. */
export const UNAUTHENTICATED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Authentication required',
};
