import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject, vi } from 'vitest';
import { logIn, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { findSessionCookie, getSetCookies } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { connectTestRedis, type TestRedisClient } from './support/test-redis-client.js';
import { holdNextPasswordVerification } from './support/hold-password-verification.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { TOKEN, UNAUTHENTICATED } from './support/expected-responses.js';

const NEW_PASSWORD = 'a brand new passphrase';
const REVOKED_DURING_LOGIN = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Your sessions were revoked while you were logging in: log in again',
};
const INVALID_CREDENTIALS = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Invalid email or password',
};

describe('POST /auth/password', () => {
  const keyPrefix = uniquePrefix('password-change');
  let app: INestApplication;
  let server: Server;
  let redis: TestRedisClient;
  let annId: string;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    redis = connectTestRedis();
    annId = (await signUp(server, 'ann@example.com')).id;
    // Only refused changes are tried on this account, so its password stays TEST_PASSWORD.
    await signUp(server, 'cal@example.com');
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  function meWith(token: string): Promise<request.Response> {
    return request(server).get('/me').set('Cookie', `sid=${token}`);
  }

  function changePassword(token: string, body: unknown): Promise<request.Response> {
    return request(server)
      .post('/auth/password')
      .set('Cookie', `sid=${token}`)
      .send(body as object);
  }

  function logInWith(email: string, password: string): Promise<request.Response> {
    return request(server).post('/auth/login').send({ email, password });
  }

  it('answers 204 with a new token for this device, revokes every other, and swaps the password', async () => {
    const device1 = await logIn(server, 'ann@example.com');
    const device2 = await logIn(server, 'ann@example.com');
    const hashBefore = await redis.hget(`${keyPrefix}app:user:${annId}`, 'passwordHash');

    const response = await changePassword(device1, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const renewed = findSessionCookie(response, 'sid')?.value ?? '';
    expect(renewed).toMatch(TOKEN);
    expect(renewed).not.toBe(device1);
    // Already dead when the 204 arrived: no polling.
    const [oldDevice1, newDevice1, otherDevice] = await Promise.all([
      meWith(device1),
      meWith(renewed),
      meWith(device2),
    ]);
    expect(oldDevice1.status).toBe(401);
    expect(oldDevice1.body).toEqual(UNAUTHENTICATED);
    expect(newDevice1.status).toBe(200);
    expect(newDevice1.body).toEqual({ id: annId, email: 'ann@example.com', roles: ['user'] });
    expect(otherDevice.status).toBe(401);
    expect(otherDevice.body).toEqual(UNAUTHENTICATED);

    const hashAfter = await redis.hget(`${keyPrefix}app:user:${annId}`, 'passwordHash');
    expect(hashAfter).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(hashAfter).not.toBe(hashBefore);
    const withOld = await logInWith('ann@example.com', TEST_PASSWORD);
    expect(withOld.status).toBe(401);
    expect(withOld.body).toEqual(INVALID_CREDENTIALS);
    const withNew = await logInWith('ann@example.com', NEW_PASSWORD);
    expect(withNew.status).toBe(200);
    expect(withNew.body).toMatchObject({ user: { id: annId, email: 'ann@example.com' } });
  });

  it('answers 401 for a wrong current password and changes nothing', async () => {
    const device1 = await logIn(server, 'cal@example.com');
    const device2 = await logIn(server, 'cal@example.com');

    const response = await changePassword(device1, {
      currentPassword: 'not the password',
      newPassword: NEW_PASSWORD,
    });

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS);
    expect(getSetCookies(response)).toEqual([]);
    const [me1, me2] = await Promise.all([meWith(device1), meWith(device2)]);
    expect([me1.status, me2.status]).toEqual([200, 200]);
    expect((await logInWith('cal@example.com', NEW_PASSWORD)).status).toBe(401);
  });

  it.each([
    [
      'a new password under 8 characters',
      { newPassword: 'short' },
      ['newPassword must be from 8 to 256 characters long'],
    ],
    [
      'a new password over 256 characters',
      { newPassword: 'x'.repeat(257) },
      ['newPassword must be from 8 to 256 characters long'],
    ],
    [
      'a new password that is not a string',
      { newPassword: 12345678 },
      ['newPassword must be from 8 to 256 characters long', 'newPassword must be a string'],
    ],
    [
      'no new password',
      {},
      ['newPassword must be from 8 to 256 characters long', 'newPassword must be a string'],
    ],
    [
      'a current password that is not a string',
      { currentPassword: 42, newPassword: NEW_PASSWORD },
      ['currentPassword must be a string'],
    ],
  ])('answers 400 for %s and changes nothing', async (_case, change, messages) => {
    const device1 = await logIn(server, 'cal@example.com');
    const device2 = await logIn(server, 'cal@example.com');

    const response = await changePassword(device1, { currentPassword: TEST_PASSWORD, ...change });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: messages });
    expect(getSetCookies(response)).toEqual([]);
    const [me1, me2] = await Promise.all([meWith(device1), meWith(device2)]);
    expect([me1.status, me2.status]).toEqual([200, 200]);
  });

  it('answers 401 without a session', async () => {
    const response = await request(server)
      .post('/auth/password')
      .send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it('refuses a login that verified the old password while the change ran', async () => {
    await signUp(server, 'eve@example.com');
    const device = await logIn(server, 'eve@example.com');
    const held = holdNextPasswordVerification(app);
    const login = Promise.resolve(logInWith('eve@example.com', TEST_PASSWORD));
    await held.entered;

    const change = await changePassword(device, {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(change.status).toBe(204);
    held.release();
    const response = await login;

    expect(response.status).toBe(401);
    expect(response.body).toEqual(REVOKED_DURING_LOGIN);
    expect(findSessionCookie(response, 'sid')?.value ?? '').toBe('');
    const listed = await request(server)
      .get('/sessions')
      .set('Cookie', `sid=${findSessionCookie(change, 'sid')?.value ?? ''}`);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(1);
  });

  it('leaves no live session to a login with the old password that races the change', async () => {
    await signUp(server, 'dan@example.com');
    const device = await logIn(server, 'dan@example.com');

    // However the logins interleave with the change (before it, during argon2, after it), none
    // of them may end with a session that outlives it.
    const [change, ...logins] = await Promise.all([
      changePassword(device, { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }),
      ...Array.from({ length: 4 }, () => logInWith('dan@example.com', TEST_PASSWORD)),
    ]);

    expect(change.status).toBe(204);
    for (const login of logins) {
      expect([200, 401]).toContain(login.status);
      const token = findSessionCookie(login, 'sid')?.value ?? '';
      if (token !== '') expect((await meWith(token)).status).toBe(401);
    }
    const renewed = findSessionCookie(change, 'sid')?.value ?? '';
    expect((await meWith(renewed)).status).toBe(200);
  });
});
