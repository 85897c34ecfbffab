import { createHash } from 'node:crypto';
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

const ADMIN_EMAIL = 'root@example.com';
const UNKNOWN_USER_ID = '00000000-0000-4000-8000-000000000000';
const NOT_ADMIN = {
  statusCode: 403,
  error: 'Forbidden',
  message: 'You do not have permission for this action',
};
const NOT_ELEVATED = {
  statusCode: 403,
  error: 'Forbidden',
  message: 'This action needs you to confirm your password first',
};
const REVOKED_DURING_LOGIN = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Your sessions were revoked while you were logging in: log in again',
};
const USER_NOT_FOUND = { statusCode: 404, error: 'Not Found', message: 'User not found' };
const ROLES_MESSAGE =
  'roles must be an array of at most 16 roles, each a lowercase identifier (a letter, then letters, digits, "_" or "-"; at most 32 characters)';

describe('admin: POST /admin/users/:id/roles and DELETE /admin/users/:id/sessions', () => {
  const keyPrefix = uniquePrefix('admin');
  let app: INestApplication;
  let server: Server;
  let redis: TestRedisClient;
  let rootId: string;
  let annId: string;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix, adminEmail: ADMIN_EMAIL });
    server = app.getHttpServer();
    redis = connectTestRedis();
    rootId = (await signUp(server, ADMIN_EMAIL)).id;
    annId = (await signUp(server, 'ann@example.com')).id;
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

  /** Logs in and steps up; resolves the elevated session's token. */
  async function elevatedSession(email: string): Promise<string> {
    const token = await logIn(server, email);
    const response = await request(server)
      .post('/auth/elevate')
      .set('Cookie', `sid=${token}`)
      .send({ password: TEST_PASSWORD });
    const elevated = findSessionCookie(response, 'sid')?.value ?? '';
    if (response.status !== 200 || elevated === '') {
      throw new Error(`elevation of ${email} answered ${response.status} without a new cookie`);
    }
    return elevated;
  }

  function setRoles(token: string, userId: string, body: unknown): Promise<request.Response> {
    return request(server)
      .post(`/admin/users/${userId}/roles`)
      .set('Cookie', `sid=${token}`)
      .send(body as object);
  }

  function logOutEverywhere(token: string, userId: string): Promise<request.Response> {
    return request(server).delete(`/admin/users/${userId}/sessions`).set('Cookie', `sid=${token}`);
  }

  it('answers 403 to a user who is not admin, elevated or not, and changes nothing', async () => {
    const plain = await logIn(server, 'ann@example.com');
    const elevated = await elevatedSession('ann@example.com');

    for (const token of [plain, elevated]) {
      const roles = await setRoles(token, annId, { roles: ['admin'] });
      expect(roles.status).toBe(403);
      expect(roles.body).toEqual(NOT_ADMIN);
      const sessions = await logOutEverywhere(token, rootId);
      expect(sessions.status).toBe(403);
      expect(sessions.body).toEqual(NOT_ADMIN);
    }
    const me = await meWith(elevated);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: annId, email: 'ann@example.com', roles: ['user'] });
  });

  it('answers 403 to an admin whose session is not elevated', async () => {
    const token = await logIn(server, ADMIN_EMAIL);

    const roles = await setRoles(token, annId, { roles: ['auditor'] });
    const sessions = await logOutEverywhere(token, annId);

    expect(roles.status).toBe(403);
    expect(roles.body).toEqual(NOT_ELEVATED);
    expect(sessions.status).toBe(403);
    expect(sessions.body).toEqual(NOT_ELEVATED);
    expect((await meWith(token)).body).toEqual({
      id: rootId,
      email: ADMIN_EMAIL,
      roles: ['user', 'admin'],
    });
  });

  it('answers 401 without a session', async () => {
    const roles = await request(server)
      .post(`/admin/users/${annId}/roles`)
      .send({ roles: ['admin'] });
    const sessions = await request(server).delete(`/admin/users/${annId}/sessions`);

    expect(roles.status).toBe(401);
    expect(roles.body).toEqual(UNAUTHENTICATED);
    expect(sessions.status).toBe(401);
    expect(sessions.body).toEqual(UNAUTHENTICATED);
  });

  it("a role granted by an elevated admin reaches each of the user's devices on its next request, with a new token", async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);
    const laptop = await logIn(server, 'ann@example.com');
    const phone = await logIn(server, 'ann@example.com');

    const response = await setRoles(admin, annId, { roles: ['auditor'] });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: annId, roles: ['user', 'auditor'] });
    for (const sent of [laptop, phone]) {
      const me = await meWith(sent);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: annId, email: 'ann@example.com', roles: ['user', 'auditor'] });
      const rotated = findSessionCookie(me, 'sid')?.value ?? '';
      expect(rotated).toMatch(TOKEN);
      expect(rotated).not.toBe(sent);
      // The token the device sent no longer holds a session: for at most 10 s it forwards the
      // requests the browser had already sent with it. The new one works and is not rotated again.
      const [withSent, withRotated] = await Promise.all([meWith(sent), meWith(rotated)]);
      expect(withSent.status).toBe(200);
      expect(getSetCookies(withSent)).toEqual([]);
      const sentKey = `${keyPrefix}sess:{${sent.slice(0, 2)}}:s:${createHash('sha256').update(sent).digest('base64url')}`;
      expect(await redis.hkeys(sentKey)).toEqual(['f']);
      expect(await redis.pttl(sentKey)).toBeLessThanOrEqual(10_000);
      expect(withRotated.status).toBe(200);
      expect(getSetCookies(withRotated)).toEqual([]);
    }
    expect(await redis.hget(`${keyPrefix}app:user:${annId}`, 'roles')).toBe('["user","auditor"]');

    const restored = await setRoles(admin, annId, { roles: [] });
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ id: annId, roles: ['user'] });
  });

  it("roles granted and taken away reach the session's permission checks, not only /me", async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);
    const ann = await elevatedSession('ann@example.com');

    expect((await setRoles(admin, annId, { roles: ['admin'] })).status).toBe(200);
    const asAdmin = await setRoles(ann, annId, { roles: ['admin', 'auditor'] });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toEqual({ id: annId, roles: ['user', 'admin', 'auditor'] });
    // Her own roles changed, so her own session rotates too, in this very response.
    const ann2 = findSessionCookie(asAdmin, 'sid')?.value ?? '';
    expect(ann2).toMatch(TOKEN);
    expect(ann2).not.toBe(ann);

    expect((await setRoles(admin, annId, { roles: [] })).status).toBe(200);
    const demoted = await setRoles(ann2, annId, { roles: ['admin'] });
    expect(demoted.status).toBe(403);
    expect(demoted.body).toEqual(NOT_ADMIN);
    expect(await redis.hget(`${keyPrefix}app:user:${annId}`, 'roles')).toBe('["user"]');
  });

  it('keeps "user" first and each role once', async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);

    const response = await setRoles(admin, annId, {
      roles: ['auditor', 'user', 'auditor', 'billing-ops'],
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: annId, roles: ['user', 'auditor', 'billing-ops'] });
    expect((await setRoles(admin, annId, { roles: [] })).status).toBe(200);
  });

  it.each([
    ['no roles field', {}],
    ['null', { roles: null }],
    ['a string', { roles: 'admin' }],
    ['an object', { roles: { 0: 'admin' } }],
    ['an upper-case role', { roles: ['Admin'] }],
    ['a role with a space', { roles: ['super user'] }],
    ['a role that is not a string', { roles: [42] }],
    ['a role over 32 characters', { roles: ['a'.repeat(33)] }],
    ['an empty role', { roles: [''] }],
    ['more than 16 roles', { roles: Array.from({ length: 17 }, (_, i) => `role${i}`) }],
  ])('answers 400 for %s and stores nothing', async (_case, body) => {
    const admin = await elevatedSession(ADMIN_EMAIL);

    const response = await setRoles(admin, annId, body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: [ROLES_MESSAGE],
    });
    expect(await redis.hget(`${keyPrefix}app:user:${annId}`, 'roles')).toBe('["user"]');
  });

  it.each([
    ['an unknown user id', UNKNOWN_USER_ID],
    ['a malformed user id', 'not%20a%20user'],
    ['an id with a key separator', 'a:b'],
  ])('answers 404 for %s on both routes, and creates no user', async (_case, id) => {
    const admin = await elevatedSession(ADMIN_EMAIL);

    const roles = await setRoles(admin, id, { roles: ['auditor'] });
    const sessions = await logOutEverywhere(admin, id);

    expect(roles.status).toBe(404);
    expect(roles.body).toEqual(USER_NOT_FOUND);
    expect(sessions.status).toBe(404);
    expect(sessions.body).toEqual(USER_NOT_FOUND);
    expect(await redis.exists(`${keyPrefix}app:user:${decodeURIComponent(id)}`)).toBe(0);
  });

  it("logging a user out everywhere ends all of that user's devices at once, not the admin's", async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);
    const laptop = await logIn(server, 'ann@example.com');
    const phone = await logIn(server, 'ann@example.com');

    const response = await logOutEverywhere(admin, annId);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    for (const token of [laptop, phone]) {
      const me = await meWith(token);
      expect(me.status).toBe(401);
      expect(me.body).toEqual(UNAUTHENTICATED);
    }
    expect((await meWith(admin)).status).toBe(200);
    // A logout, not a lockout: the user can log in again.
    expect((await meWith(await logIn(server, 'ann@example.com'))).status).toBe(200);
  });

  // A page load sends several requests at once with the cookie the browser holds; one of them
  // applies the rotation, the others are served through the library's short forward.
  it('requests sent together right after a role change all keep the session', async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);
    const browser = await logIn(server, 'ann@example.com');
    expect((await setRoles(admin, annId, { roles: ['auditor'] })).status).toBe(200);

    try {
      // A page load: several requests at once, all with the cookie the browser holds.
      const responses = await Promise.all(
        Array.from({ length: 3 }, () => Promise.resolve(meWith(browser))),
      );

      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
      for (const response of responses) {
        expect(response.body).toEqual({
          id: annId,
          email: 'ann@example.com',
          roles: ['user', 'auditor'],
        });
        expect(findSessionCookie(response, 'sid')?.value ?? 'not cleared').not.toBe('');
      }
    } finally {
      await setRoles(admin, annId, { roles: [] });
    }
  });

  it('logging a user out everywhere also refuses their login that is in flight', async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);
    const held = holdNextPasswordVerification(app);
    const login = Promise.resolve(
      request(server)
        .post('/auth/login')
        .send({ email: 'ann@example.com', password: TEST_PASSWORD }),
    );
    await held.entered;

    expect((await logOutEverywhere(admin, annId)).status).toBe(204);
    held.release();
    const response = await login;

    expect(response.status).toBe(401);
    expect(response.body).toEqual(REVOKED_DURING_LOGIN);
    expect(findSessionCookie(response, 'sid')?.value ?? '').toBe('');
  });

  it('an admin logging themselves out everywhere also gets their own cookie cleared', async () => {
    const admin = await elevatedSession(ADMIN_EMAIL);
    const otherDevice = await logIn(server, ADMIN_EMAIL);

    const response = await logOutEverywhere(admin, rootId);

    expect(response.status).toBe(204);
    expect(findSessionCookie(response, 'sid')).toMatchObject({
      value: '',
      attributes: { 'max-age': '0' },
    });
    for (const token of [admin, otherDevice]) {
      const me = await meWith(token);
      expect(me.status).toBe(401);
      expect(me.body).toEqual(UNAUTHENTICATED);
    }
  });
});
