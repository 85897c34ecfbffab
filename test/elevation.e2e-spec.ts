import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { findSessionCookie, getSetCookies } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { TOKEN, UNAUTHENTICATED } from './support/expected-responses.js';

const ELEVATION_MS = 300_000;
const INVALID_CREDENTIALS = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Invalid email or password',
};

describe('POST /auth/elevate: step-up ("sudo mode") after re-entering the password', () => {
  const keyPrefix = uniquePrefix('elevation');
  let app: INestApplication;
  let server: Server;
  let annId: string;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    annId = (await signUp(server, 'ann@example.com')).id;
  });

  afterAll(async () => {
    await app.close();
  });

  function meWith(token: string): Promise<request.Response> {
    return request(server).get('/me').set('Cookie', `sid=${token}`);
  }

  function elevate(token: string, body: unknown): Promise<request.Response> {
    return request(server)
      .post('/auth/elevate')
      .set('Cookie', `sid=${token}`)
      .send(body as object);
  }

  it('answers 200 {elevatedUntil} about 5 minutes ahead, with a new token', async () => {
    const { token, sessionId } = await logInSession(server, 'ann@example.com');
    const before = Date.now();

    const response = await elevate(token, { password: TEST_PASSWORD });
    const after = Date.now();

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ elevatedUntil: expect.any(String) });
    const { elevatedUntil } = response.body as { elevatedUntil: string };
    const until = Date.parse(elevatedUntil);
    expect(new Date(until).toISOString()).toBe(elevatedUntil);
    expect(until).toBeGreaterThanOrEqual(before + ELEVATION_MS - 1000);
    expect(until).toBeLessThanOrEqual(after + ELEVATION_MS + 1000);

    const cookie = findSessionCookie(response, 'sid');
    expect(cookie?.value).toMatch(TOKEN);
    expect(cookie?.value).not.toBe(token);
    expect(cookie?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
    // The same session (same public id) under a new token, and it is the elevated one.
    const listed = await request(server).get('/sessions').set('Cookie', `sid=${cookie?.value}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toContainEqual(
      expect.objectContaining({ id: sessionId, current: true, elevatedUntil }),
    );
  });

  it('kills the token the session had before (no fixation across a privilege change)', async () => {
    const { token } = await logInSession(server, 'ann@example.com');

    const response = await elevate(token, { password: TEST_PASSWORD });

    expect(response.status).toBe(200);
    const elevated = findSessionCookie(response, 'sid')?.value ?? '';
    const [withOld, withNew] = await Promise.all([meWith(token), meWith(elevated)]);
    expect(withOld.status).toBe(401);
    expect(withOld.body).toEqual(UNAUTHENTICATED);
    expect(withNew.status).toBe(200);
    expect(withNew.body).toEqual({ id: annId, email: 'ann@example.com', roles: ['user'] });
  });

  it.each([
    ['a wrong password', { password: 'not the password' }],
    ['the password in another case', { password: TEST_PASSWORD.toUpperCase() }],
    ['no password', {}],
    ['an empty password', { password: '' }],
    ['a number', { password: 12345678 }],
    ['an array', { password: [TEST_PASSWORD] }],
    ['a password over 256 characters', { password: 'x'.repeat(257) }],
  ])(
    'answers 401 like a failed login for %s, sets no cookie and does not elevate',
    async (_case, body) => {
      const { token, sessionId } = await logInSession(server, 'ann@example.com');

      const response = await elevate(token, body);

      expect(response.status).toBe(401);
      expect(response.body).toEqual(INVALID_CREDENTIALS);
      expect(getSetCookies(response)).toEqual([]);
      const listed = await request(server).get('/sessions').set('Cookie', `sid=${token}`);
      expect(listed.status).toBe(200);
      expect(listed.body).toContainEqual(
        expect.objectContaining({ id: sessionId, current: true, elevatedUntil: null }),
      );
    },
  );

  it('answers 401 without a session, even with the right password', async () => {
    const response = await request(server).post('/auth/elevate').send({ password: TEST_PASSWORD });

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
    expect(findSessionCookie(response, 'sid')?.value ?? '').toBe('');
  });
});
