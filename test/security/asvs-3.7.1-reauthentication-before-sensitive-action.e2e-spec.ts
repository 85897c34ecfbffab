import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { findSessionCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.7.1: a valid login session is not enough for sensitive actions: the admin routes
// need step-up (the password re-entered through POST /auth/elevate, for 5 minutes), and a
// password change needs the current password.

const NOT_ELEVATED = { statusCode: 403, error: 'Forbidden' };

describe('ASVS 3.7.1: re-authentication before sensitive actions', () => {
  const keyPrefix = uniquePrefix('asvs-3.7.1');
  let app: INestApplication;
  let server: Server;
  let annId: string;

  const setRoles = (token: string) =>
    request(server)
      .post(`/admin/users/${annId}/roles`)
      .set('Cookie', `sid=${token}`)
      .send({ roles: ['auditor'] });
  const logOutEverywhere = (token: string) =>
    request(server).delete(`/admin/users/${annId}/sessions`).set('Cookie', `sid=${token}`);
  const elevate = (token: string, password: string) =>
    request(server).post('/auth/elevate').set('Cookie', `sid=${token}`).send({ password });

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      adminEmail: 'admin@example.com',
    });
    server = app.getHttpServer();
    annId = (await signUp(server, 'ann@example.com')).id;
    await signUp(server, 'admin@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses an admin with a fresh login but no step-up: 403, nothing changed', async () => {
    const admin = await logIn(server, 'admin@example.com');

    const [roles, everywhere] = [await setRoles(admin), await logOutEverywhere(admin)];

    expect(roles.status).toBe(403);
    expect(roles.body).toMatchObject(NOT_ELEVATED);
    expect(everywhere.status).toBe(403);
    const ann = await logIn(server, 'ann@example.com');
    expect((await request(server).get('/me').set('Cookie', `sid=${ann}`)).body).toMatchObject({
      roles: ['user'],
    });
  });

  it('a wrong password does not elevate', async () => {
    const admin = await logIn(server, 'admin@example.com');

    const refused = await elevate(admin, 'not the password');

    expect(refused.status).toBe(401);
    expect((await setRoles(admin)).status).toBe(403);
  });

  it('allows the action once the admin re-entered the password, under a new token', async () => {
    const admin = await logIn(server, 'admin@example.com');

    const elevated = await elevate(admin, TEST_PASSWORD);

    expect(elevated.status).toBe(200);
    const { elevatedUntil } = elevated.body as { elevatedUntil: string };
    const minutesLeft = (Date.parse(elevatedUntil) - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(4);
    expect(minutesLeft).toBeLessThanOrEqual(5);
    const stepped = findSessionCookie(elevated, 'sid')?.value ?? '';
    expect(stepped).not.toBe(admin);
    expect((await setRoles(stepped)).status).toBe(200);
    // The step-up belongs to that session only: the admin's other logins are not elevated.
    expect((await setRoles(await logIn(server, 'admin@example.com'))).status).toBe(403);
  });

  it('step-up does not make a non-admin an admin', async () => {
    const ann = await logIn(server, 'ann@example.com');
    const elevated = await elevate(ann, TEST_PASSWORD);
    const stepped = findSessionCookie(elevated, 'sid')?.value ?? '';

    expect(elevated.status).toBe(200);
    expect((await setRoles(stepped)).status).toBe(403);
  });

  it('a password change requires the current password, even from an elevated session', async () => {
    const ann = await logIn(server, 'ann@example.com');
    const stepped = findSessionCookie(await elevate(ann, TEST_PASSWORD), 'sid')?.value ?? '';

    const [missing, wrong] = await Promise.all([
      request(server)
        .post('/auth/password')
        .set('Cookie', `sid=${stepped}`)
        .send({ newPassword: 'a whole new passphrase' }),
      request(server)
        .post('/auth/password')
        .set('Cookie', `sid=${stepped}`)
        .send({ currentPassword: 'not the password', newPassword: 'a whole new passphrase' }),
    ]);

    expect(missing.status).toBe(400);
    expect(wrong.status).toBe(401);
    expect((await request(server).get('/me').set('Cookie', `sid=${stepped}`)).status).toBe(200);
  });
});
