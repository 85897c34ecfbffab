import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp, TEST_PASSWORD, type SignedUpUser } from './support/auth-requests.js';
import { findSessionCookie, getSetCookies } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { TOKEN } from './support/expected-responses.js';

const IDLE_TIMEOUT_SECONDS = 900;
const INVALID_CREDENTIALS = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Invalid email or password',
};

describe('POST /auth/login', () => {
  const keyPrefix = uniquePrefix('login');
  let app: INestApplication;
  let server: Server;
  let ann: SignedUpUser;

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
      // Several tests here fail ann's password. Throttling has its own spec
      // (security/asvs-2.2.1-anti-automation), as has login timing (no-user-enumeration).
      loginThrottle: { maxFailuresPerEmail: 20 },
    });
    server = app.getHttpServer();
    ann = await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers 200 {user, session} and sets a new HttpOnly, SameSite=Lax session cookie', async () => {
    const before = Date.now();
    const response = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });
    const after = Date.now();

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      user: { id: ann.id, email: 'ann@example.com', roles: ['user'] },
      session: { id: expect.any(String), expiresAt: expect.any(String) },
    });
    const { session } = response.body as { session: { id: string; expiresAt: string } };
    const expiresAt = Date.parse(session.expiresAt);
    expect(new Date(expiresAt).toISOString()).toBe(session.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + IDLE_TIMEOUT_SECONDS * 1000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + IDLE_TIMEOUT_SECONDS * 1000 + 1000);

    const cookie = findSessionCookie(response, 'sid');
    expect(cookie?.value).toMatch(TOKEN);
    expect(cookie?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
    // Not production: no Secure, and never a Domain.
    expect(cookie?.attributes).not.toHaveProperty('secure');
    expect(cookie?.attributes).not.toHaveProperty('domain');
    // The public session id is not the token.
    expect(session.id).not.toBe(cookie?.value);
    expect(response.text).not.toContain(cookie?.value);
  });

  it('gives a cookie that authenticates GET /me', async () => {
    const token = await logIn(server, 'ann@example.com');

    const response = await request(server).get('/me').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: ann.id, email: 'ann@example.com', roles: ['user'] });
  });

  it('normalises the email exactly as signup does', async () => {
    const response = await request(server)
      .post('/auth/login')
      .send({ email: '  ANN@Example.com ', password: TEST_PASSWORD });

    expect(response.status).toBe(200);
    expect((response.body as { user: { id: string } }).user.id).toBe(ann.id);
  });

  it('starts a separate session, with its own token, on every login', async () => {
    const first = await logIn(server, 'ann@example.com');
    const second = await logIn(server, 'ann@example.com');

    expect(second).not.toBe(first);
    const [firstMe, secondMe] = await Promise.all([
      request(server).get('/me').set('Cookie', `sid=${first}`),
      request(server).get('/me').set('Cookie', `sid=${second}`),
    ]);
    expect([firstMe.status, secondMe.status]).toEqual([200, 200]);
  });

  it.each([
    ['a wrong password', { email: 'ann@example.com', password: 'wrong password' }],
    ['an unknown email', { email: 'nobody@example.com', password: TEST_PASSWORD }],
    [
      'the right password with different case',
      { email: 'ann@example.com', password: TEST_PASSWORD.toUpperCase() },
    ],
  ])('answers 401 with the same body and no session for %s', async (_case, body) => {
    const response = await request(server).post('/auth/login').send(body);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS);
    expect(findSessionCookie(response, 'sid')?.value ?? '').toBe('');
  });

  it.each([
    ['an empty body', undefined],
    ['no password', { email: 'ann@example.com' }],
    ['an empty password', { email: 'ann@example.com', password: '' }],
    ['numbers and booleans', { email: 42, password: true }],
    ['arrays', { email: ['ann@example.com'], password: [TEST_PASSWORD] }],
    ['an operator object', { email: { $ne: null }, password: { $ne: null } }],
    ['a password over 256 characters', { email: 'ann@example.com', password: 'x'.repeat(257) }],
    [
      'an email over 320 characters',
      { email: `${'a'.repeat(320)}@example.com`, password: TEST_PASSWORD },
    ],
  ])('answers 401, not 400 or 500, for %s', async (_case, body) => {
    const call = request(server).post('/auth/login');
    const response = await (body === undefined ? call : call.send(body));

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS);
  });

  it('ignores credentials in the query string', async () => {
    const response = await request(server)
      .post('/auth/login')
      .query({ email: 'ann@example.com', password: TEST_PASSWORD });

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS);
    expect(getSetCookies(response)).toEqual([]);
  });
});

describe('POST /auth/login in production mode', () => {
  const keyPrefix = uniquePrefix('login-production');
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix, production: true });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('names the cookie __Host-sid and marks it Secure, with Path=/ and no Domain', async () => {
    const response = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });

    expect(response.status).toBe(200);
    const [setCookie, ...others] = getSetCookies(response);
    expect(others).toEqual([]);
    expect(setCookie).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43};/);
    const cookie = findSessionCookie(response, '__Host-sid');
    expect(cookie?.attributes).toMatchObject({
      path: '/',
      httponly: true,
      samesite: 'Lax',
      secure: true,
    });
    expect(cookie?.attributes).not.toHaveProperty('domain');

    const me = await request(server).get('/me').set('Cookie', `__Host-sid=${cookie?.value}`);
    expect(me.status).toBe(200);
  });

  it('does not accept the token under the plain name sid', async () => {
    const token = await logIn(server, 'ann@example.com', { cookieName: '__Host-sid' });

    const response = await request(server).get('/me').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(401);
  });
});
