import { MAX_PASSWORD_LENGTH } from './is-acceptable-password.decorator.js';

/**
 * The password in a `POST /auth/elevate` body, or `null` when the body holds no plausible one.
 * As at login, an unusable body is just a wrong password (401), never a 400 or a 500.
 */
export function readPasswordConfirmation(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const { password } = body as Record<string, unknown>;
  if (typeof password !== 'string') return null;
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return null;
  return password;
}
