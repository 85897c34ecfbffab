/** The longest email and password a login can carry; longer ones cannot match any account. */
const MAX_EMAIL_LENGTH = 320;
const MAX_PASSWORD_LENGTH = 256;

/** Body of `POST /auth/login`, once checked. */
export interface LoginCredentials {
  email: string;
  password: string;
}

/**
 * The credentials in a login body, or `null` when the body does not hold two strings of
 * plausible length. Login runs in a guard, before any pipe, so its body is checked here; an
 * unusable body is just a failed login (401), never a 500.
 */
export function readLoginCredentials(body: unknown): LoginCredentials | null {
  if (typeof body !== 'object' || body === null) return null;
  const { email, password } = body as Record<string, unknown>;
  if (typeof email !== 'string' || typeof password !== 'string') return null;
  if (email.length > MAX_EMAIL_LENGTH || password.length === 0) return null;
  if (password.length > MAX_PASSWORD_LENGTH) return null;
  return { email, password };
}
