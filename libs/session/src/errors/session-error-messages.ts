/** Every message the library puts in an error, in one place. */
export const SessionErrorMessages = {
  storeUnavailable: 'Session store is unavailable; retry shortly',
  unauthenticated: 'Authentication required',
  sessionGone: 'Session has ended',
  sessionLimitReached: 'Too many active sessions: sign out another device first',
  revokedDuringLogin: 'Your sessions were revoked while you were logging in: log in again',
  elevationRequired: 'This action needs you to confirm your password first',
  roleRequired: 'You do not have permission for this action',
  crossSiteRequest: 'Cross-site request refused',
  csrfTokenInvalid: 'Missing or invalid CSRF token',
  notAnHttpRoute: '@CurrentSession() works on HTTP routes only',
  notAnHttpHandler:
    'SessionGuard checks HTTP routes only: mark this handler @Public() or guard it another way',
  notARequestSession: 'This Session object did not come from @CurrentSession()',
  invalidUserId:
    'userId must be a non-empty string of at most 256 characters without control characters',
  unserializableValue: (key: string, reason: string) =>
    `Session data key "${key}" cannot be stored as JSON: ${reason}`,
  dataTooLarge: (bytes: number, maxBytes: number) =>
    `Session data would take ${bytes} bytes, more than the ${maxBytes} allowed; nothing was saved`,
  invalidOption: (option: string, received: unknown, expected: string) =>
    `Invalid SessionModule option "${option}": received ${describe(received)}, expected ${expected}`,
} as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
