import type { Server } from 'node:http';
import request from 'supertest';
import { findSessionCookie, type SessionCookieName } from './cookies.js';

/** Long enough for the 8-character minimum; argon2 cost does not depend on it. */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface SignedUpUser {
  id: string;
  email: string;
  roles: string[];
}

/** Signs up through the API and fails the test unless it answers 201. */
export async function signUp(
  server: Server,
  email: string,
  password = TEST_PASSWORD,
): Promise<SignedUpUser> {
  const response = await request(server).post('/auth/signup').send({ email, password });
  if (response.status !== 201) {
    throw new Error(`signup of ${email} answered ${response.status}: ${response.text}`);
  }
  return response.body as SignedUpUser;
}

/** What a successful login hands back: the cookie's token and the public session id. */
export interface LoggedInSession {
  token: string;
  sessionId: string;
}

export interface LogInOptions {
  password?: string;
  /** Sent as the request's Cookie header. */
  cookie?: string;
  cookieName?: SessionCookieName;
  /** Sent as the request's User-Agent header: the "device" the session is listed as. */
  userAgent?: string;
}

/**
 * Logs in and returns the session token from Set-Cookie; fails the test unless it answers 200
 * with a session cookie. `cookie` is sent as the request's Cookie header when given.
 */
export async function logIn(
  server: Server,
  email: string,
  options: LogInOptions = {},
): Promise<string> {
  return (await logInSession(server, email, options)).token;
}

/** Like `logIn`, and also returns the public session id from the response body. */
export async function logInSession(
  server: Server,
  email: string,
  options: LogInOptions = {},
): Promise<LoggedInSession> {
  const call = request(server)
    .post('/auth/login')
    .send({ email, password: options.password ?? TEST_PASSWORD });
  if (options.cookie !== undefined) call.set('Cookie', options.cookie);
  if (options.userAgent !== undefined) call.set('User-Agent', options.userAgent);
  const response = await call;
  const cookie = findSessionCookie(response, options.cookieName ?? 'sid');
  if (response.status !== 200 || cookie === undefined || cookie.value === '') {
    throw new Error(`login of ${email} answered ${response.status} without a session cookie`);
  }
  const { session } = response.body as { session: { id: string } };
  return { token: cookie.value, sessionId: session.id };
}
