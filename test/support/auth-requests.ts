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

/**
 * Logs in and returns the session token from Set-Cookie; fails the test unless it answers 200
 * with a session cookie. `cookie` is sent as the request's Cookie header when given.
 */
export async function logIn(
  server: Server,
  email: string,
  options: { password?: string; cookie?: string; cookieName?: SessionCookieName } = {},
): Promise<string> {
  const call = request(server)
    .post('/auth/login')
    .send({ email, password: options.password ?? TEST_PASSWORD });
  if (options.cookie !== undefined) call.set('Cookie', options.cookie);
  const response = await call;
  const cookie = findSessionCookie(response, options.cookieName ?? 'sid');
  if (response.status !== 200 || cookie === undefined || cookie.value === '') {
    throw new Error(`login of ${email} answered ${response.status} without a session cookie`);
  }
  return cookie.value;
}
