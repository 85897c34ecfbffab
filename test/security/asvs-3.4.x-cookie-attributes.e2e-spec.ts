import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { getSetCookies, parseSetCookie, type ParsedSetCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.4.1 Secure, 3.4.2 HttpOnly, 3.4.3 SameSite, 3.4.4 `__Host-` prefix, 3.4.5 the
// most precise path (Path=/ is what `__Host-` requires; the app owns its origin). Checked on
// EVERY Set-Cookie the app sends in production, not only at login: a clearing cookie without
// Secure and Path=/ would be ignored by the browser and leave the old cookie in place.

const COOKIE = '__Host-sid';
const UNKNOWN_TOKEN = 'Zz9_unknown-token_000000000000000000000000';

/** The session cookies of a response; fails the test if any other cookie is set. */
function sessionCookies(response: request.Response): ParsedSetCookie[] {
  const cookies = getSetCookies(response).map(parseSetCookie);
  for (const cookie of cookies) expect(cookie.name).toBe(COOKIE);
  return cookies;
}

function expectAsvsAttributes(cookie: ParsedSetCookie): void {
  expect(cookie.attributes.secure).toBe(true); // 3.4.1
  expect(cookie.attributes.httponly).toBe(true); // 3.4.2
  expect(cookie.attributes.samesite).toBe('Lax'); // 3.4.3
  expect(cookie.name.startsWith('__Host-')).toBe(true); // 3.4.4
  expect(cookie.attributes.path).toBe('/'); // 3.4.4 and 3.4.5
  expect(cookie.attributes).not.toHaveProperty('domain'); // 3.4.4
}

describe('ASVS 3.4.1-3.4.5: every session Set-Cookie in production carries the attributes', () => {
  const keyPrefix = uniquePrefix('asvs-3.4');
  let app: INestApplication;
  let server: Server;
  let annId: string;

  const withCookie = (call: request.Test, token: string) =>
    call.set('Cookie', `${COOKIE}=${token}`);
  const login = (email: string) => logIn(server, email, { cookieName: COOKIE });

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      production: true,
      trustProxy: 'loopback',
      adminEmail: 'admin@example.com',
    });
    server = app.getHttpServer();
    annId = (await signUp(server, 'ann@example.com')).id;
    await signUp(server, 'admin@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('login', async () => {
    const response = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });

    const [cookie] = sessionCookies(response);
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expectAsvsAttributes(cookie!);
  });

  it('step-up (new token)', async () => {
    const token = await login('ann@example.com');

    const response = await withCookie(request(server).post('/auth/elevate'), token).send({
      password: TEST_PASSWORD,
    });

    expect(response.status).toBe(200);
    const cookies = sessionCookies(response);
    expect(cookies.length).toBeGreaterThan(0);
    cookies.forEach(expectAsvsAttributes);
  });

  it('password change (new token)', async () => {
    await signUp(server, 'pat@example.com');
    const token = await login('pat@example.com');

    const response = await withCookie(request(server).post('/auth/password'), token).send({
      currentPassword: TEST_PASSWORD,
      newPassword: 'another long passphrase',
    });

    expect(response.status).toBe(204);
    const cookies = sessionCookies(response);
    expect(cookies.length).toBeGreaterThan(0);
    cookies.forEach(expectAsvsAttributes);
  });

  it('rotation after a role change by an admin', async () => {
    const token = await login('ann@example.com');
    const adminToken = await login('admin@example.com');
    const elevated = await withCookie(request(server).post('/auth/elevate'), adminToken).send({
      password: TEST_PASSWORD,
    });
    const admin = sessionCookies(elevated).at(-1)?.value ?? '';
    const granted = await withCookie(
      request(server).post(`/admin/users/${annId}/roles`),
      admin,
    ).send({ roles: ['auditor'] });
    expect(granted.status).toBe(200);

    const response = await withCookie(request(server).get('/me'), token);

    expect(response.status).toBe(200);
    const cookies = sessionCookies(response);
    expect(cookies.length).toBeGreaterThan(0);
    cookies.forEach(expectAsvsAttributes);
  });

  it('logout (cleared with Max-Age=0)', async () => {
    const token = await login('ann@example.com');

    const response = await withCookie(request(server).post('/auth/logout'), token);

    expect(response.status).toBe(204);
    const [cookie] = sessionCookies(response);
    expect(cookie?.value).toBe('');
    expect(cookie?.attributes['max-age']).toBe('0');
    expectAsvsAttributes(cookie!);
  });

  it('signing this device out through DELETE /sessions/:id', async () => {
    const token = await login('ann@example.com');
    const listed = await withCookie(request(server).get('/sessions'), token);
    const current = (listed.body as Array<{ id: string; current: boolean }>).find((s) => s.current);

    const response = await withCookie(request(server).delete(`/sessions/${current?.id}`), token);

    expect(response.status).toBe(204);
    const [cookie] = sessionCookies(response);
    expect(cookie?.attributes['max-age']).toBe('0');
    expectAsvsAttributes(cookie!);
  });

  it('an unknown token, cleared', async () => {
    const response = await withCookie(request(server).get('/me'), UNKNOWN_TOKEN);

    expect(response.status).toBe(401);
    const [cookie] = sessionCookies(response);
    expect(cookie?.attributes['max-age']).toBe('0');
    expectAsvsAttributes(cookie!);
  });
});
