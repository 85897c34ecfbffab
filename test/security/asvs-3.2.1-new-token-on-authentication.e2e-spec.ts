import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, logInSession, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { findSessionCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.2.1: a new session token on user authentication (and, RELIABILITY S3, on every
// privilege change): a cookie present before is dead afterwards, and the new token differs.

const NEW_PASSWORD = 'a completely new passphrase';

describe('ASVS 3.2.1: a new session token on authentication and on every privilege change', () => {
  const keyPrefix = uniquePrefix('asvs-3.2.1');
  let app: INestApplication;
  let server: Server;
  let annId: string;

  const me = (token: string) => request(server).get('/me').set('Cookie', `sid=${token}`);

  function newToken(response: request.Response): string {
    const value = findSessionCookie(response, 'sid')?.value ?? '';
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    return value;
  }

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      adminEmail: 'admin@example.com',
    });
    server = app.getHttpServer();
    annId = (await signUp(server, 'ann@example.com')).id;
    await signUp(server, 'admin@example.com');
    await signUp(server, 'mallory@example.com');
    await signUp(server, 'pat@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it("login replaces a planted token (the attacker's own session), which is dead afterwards", async () => {
    const planted = await logIn(server, 'mallory@example.com');

    const login = await request(server)
      .post('/auth/login')
      .set('Cookie', `sid=${planted}`)
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });

    const issued = newToken(login);
    expect(issued).not.toBe(planted);
    expect((await me(planted)).status).toBe(401);
    expect((await me(issued)).body).toMatchObject({ id: annId });
  });

  it('login never adopts a made-up token offered before it', async () => {
    const planted = 'Fixat10n-attempt_by-someone-else_012345678';

    const login = await request(server)
      .post('/auth/login')
      .set('Cookie', `sid=${planted}`)
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });

    expect(newToken(login)).not.toBe(planted);
    expect((await me(planted)).status).toBe(401);
  });

  it('every login gets a token and a public session id never seen before', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 5 }, () => logInSession(server, 'ann@example.com')),
    );

    expect(new Set(sessions.map((session) => session.token)).size).toBe(5);
    expect(new Set(sessions.map((session) => session.sessionId)).size).toBe(5);
  });

  it('step-up (POST /auth/elevate) issues a new token and kills the one before', async () => {
    const before = await logIn(server, 'ann@example.com');

    const elevated = await request(server)
      .post('/auth/elevate')
      .set('Cookie', `sid=${before}`)
      .send({ password: TEST_PASSWORD });

    expect(elevated.status).toBe(200);
    const after = newToken(elevated);
    expect(after).not.toBe(before);
    expect((await me(before)).status).toBe(401);
    expect((await me(after)).status).toBe(200);
  });

  it('a password change issues a new token and kills the one before', async () => {
    const before = await logIn(server, 'pat@example.com');

    const changed = await request(server)
      .post('/auth/password')
      .set('Cookie', `sid=${before}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });

    expect(changed.status).toBe(204);
    const after = newToken(changed);
    expect(after).not.toBe(before);
    expect((await me(before)).status).toBe(401);
    expect((await me(after)).status).toBe(200);
  });

  it("a role granted by an admin rotates the user's token on their next request", async () => {
    const before = await logIn(server, 'ann@example.com');
    const adminLogin = await logIn(server, 'admin@example.com');
    const elevated = await request(server)
      .post('/auth/elevate')
      .set('Cookie', `sid=${adminLogin}`)
      .send({ password: TEST_PASSWORD });
    const admin = newToken(elevated);
    const granted = await request(server)
      .post(`/admin/users/${annId}/roles`)
      .set('Cookie', `sid=${admin}`)
      .send({ roles: ['auditor'] });
    expect(granted.status).toBe(200);

    const next = await me(before);

    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ roles: ['user', 'auditor'] });
    const after = newToken(next);
    expect(after).not.toBe(before);
    expect((await me(after)).status).toBe(200);
  });

  it('a failed login issues nothing and leaves the cookie it was sent with as it was', async () => {
    const own = await logIn(server, 'mallory@example.com');

    const failed = await request(server)
      .post('/auth/login')
      .set('Cookie', `sid=${own}`)
      .send({ email: 'ann@example.com', password: 'not the password' });

    expect(failed.status).toBe(401);
    expect(findSessionCookie(failed)).toBeUndefined();
    expect((await me(own)).body).toMatchObject({ email: 'mallory@example.com' });
  });
});
