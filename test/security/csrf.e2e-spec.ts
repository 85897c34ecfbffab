import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, logInSession, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { findSessionCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// RELIABILITY S6 through the sample app: an unsafe request that carries the session cookie is
// refused when the browser says it is cross-site or its Origin is not the app's own.

const APP_HOST = 'app.example.test';
const OWN_ORIGIN = `http://${APP_HOST}`;
const CROSS_SITE_REFUSED = {
  statusCode: 403,
  error: 'Forbidden',
  message: 'Cross-site request refused',
};

type Headers = Record<string, string>;

const REFUSED_HEADERS: Array<[string, Headers]> = [
  ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
  ['a foreign Origin', { Origin: 'https://evil.example.test' }],
  ['Origin: null', { Origin: 'null' }],
  [
    'Sec-Fetch-Site: same-site',
    { 'Sec-Fetch-Site': 'same-site', Origin: 'http://sub.example.test' },
  ],
  [
    'the own Origin but Sec-Fetch-Site: cross-site',
    { 'Sec-Fetch-Site': 'cross-site', Origin: OWN_ORIGIN },
  ],
  ['the own host over another scheme', { Origin: `https://${APP_HOST}` }],
];

describe('CSRF (S6): cross-site unsafe requests with the session cookie are refused', () => {
  const keyPrefix = uniquePrefix('csrf');
  let app: INestApplication;
  let server: Server;
  let annId: string;
  let adminToken: string;
  let token: string;
  let otherSessionId: string;

  /** Each unsafe route of the app, as a browser on a hostile page could aim it. */
  const unsafeRoutes: Array<[string, (headers: Headers) => request.Test]> = [
    ['POST /auth/logout', (h) => send(request(server).post('/auth/logout'), h)],
    [
      'POST /auth/elevate',
      (h) => send(request(server).post('/auth/elevate'), h, { password: TEST_PASSWORD }),
    ],
    [
      'POST /auth/password',
      (h) =>
        send(request(server).post('/auth/password'), h, {
          currentPassword: TEST_PASSWORD,
          newPassword: 'chosen by the attacker',
        }),
    ],
    ['DELETE /sessions', (h) => send(request(server).delete('/sessions'), h)],
    ['DELETE /sessions/:id', (h) => send(request(server).delete(`/sessions/${otherSessionId}`), h)],
    [
      'POST /auth/login',
      (h) =>
        send(request(server).post('/auth/login'), h, {
          email: 'ann@example.com',
          password: TEST_PASSWORD,
        }),
    ],
    [
      'POST /auth/signup',
      (h) =>
        send(request(server).post('/auth/signup'), h, {
          email: 'new@example.com',
          password: TEST_PASSWORD,
        }),
    ],
  ];

  function send(call: request.Test, headers: Headers, body?: object): request.Test {
    call.set('Host', APP_HOST).set('Cookie', `sid=${token}`).set(headers);
    return body === undefined ? call : call.send(body);
  }

  async function expectSessionUntouched(): Promise<void> {
    const me = await request(server).get('/me').set('Cookie', `sid=${token}`);
    expect(me.status).toBe(200);
    const sessions = await request(server).get('/sessions').set('Cookie', `sid=${token}`);
    expect(sessions.status).toBe(200);
    const ids = (sessions.body as Array<{ id: string; elevatedUntil: string | null }>).map(
      (session) => session.id,
    );
    expect(ids).toContain(otherSessionId);
    for (const session of sessions.body as Array<{ elevatedUntil: string | null }>) {
      expect(session.elevatedUntil).toBeNull();
    }
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
    token = await logIn(server, 'ann@example.com');
    otherSessionId = (await logInSession(server, 'ann@example.com')).sessionId;
    adminToken = await logIn(server, 'admin@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  describe.each(REFUSED_HEADERS)('with %s', (_label, headers) => {
    it.each(unsafeRoutes.map(([name, call]) => [name, call] as const))(
      '%s answers 403 and changes nothing',
      async (_route, call) => {
        const response = await call(headers);

        expect(response.status).toBe(403);
        expect(response.body).toEqual(CROSS_SITE_REFUSED);
        expect(findSessionCookie(response)).toBeUndefined();
        await expectSessionUntouched();
      },
    );
  });

  it('refuses the admin routes cross-site before anything else is checked', async () => {
    const elevated = await request(server)
      .post('/auth/elevate')
      .set('Cookie', `sid=${adminToken}`)
      .send({ password: TEST_PASSWORD });
    expect(elevated.status).toBe(200);
    adminToken = findSessionCookie(elevated, 'sid')?.value ?? '';

    const roles = await request(server)
      .post(`/admin/users/${annId}/roles`)
      .set('Host', APP_HOST)
      .set('Cookie', `sid=${adminToken}`)
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ roles: ['admin'] });
    const logoutEverywhere = await request(server)
      .delete(`/admin/users/${annId}/sessions`)
      .set('Host', APP_HOST)
      .set('Cookie', `sid=${adminToken}`)
      .set('Origin', 'https://evil.example.test');

    expect([roles.status, logoutEverywhere.status]).toEqual([403, 403]);
    const me = await request(server).get('/me').set('Cookie', `sid=${token}`);
    expect(me.body).toMatchObject({ id: annId, roles: ['user'] });
  });

  it.each([
    ['neither header (curl, server to server)', {}],
    [
      'Sec-Fetch-Site: same-origin with the own Origin',
      { 'Sec-Fetch-Site': 'same-origin', Origin: OWN_ORIGIN },
    ],
    ['the own Origin alone', { Origin: OWN_ORIGIN }],
    ['Sec-Fetch-Site: none (a URL the user typed)', { 'Sec-Fetch-Site': 'none' }],
  ])('lets an unsafe request through with %s', async (_label, headers: Headers) => {
    const { token: own } = await logInSession(server, 'ann@example.com');

    const response = await request(server)
      .post('/auth/logout')
      .set('Host', APP_HOST)
      .set('Cookie', `sid=${own}`)
      .set(headers);

    expect(response.status).toBe(204);
    expect((await request(server).get('/me').set('Cookie', `sid=${own}`)).status).toBe(401);
  });

  it.each([
    ['GET /me', '/me'],
    ['GET /sessions', '/sessions'],
    ['GET /health', '/health'],
  ])('leaves the safe method %s alone, even cross-site', async (_label, path) => {
    const response = await request(server)
      .get(path)
      .set('Host', APP_HOST)
      .set('Cookie', `sid=${token}`)
      .set({ 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example.test' });

    expect(response.status).toBe(200);
  });

  it('cannot be used for login CSRF: a form post (not JSON) logs no one in', async () => {
    const formPosts: Array<[string, string]> = [
      [
        'application/x-www-form-urlencoded',
        `email=ann%40example.com&password=${encodeURIComponent(TEST_PASSWORD)}`,
      ],
      ['text/plain', JSON.stringify({ email: 'ann@example.com', password: TEST_PASSWORD })],
      [
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nann@example.com\r\n--x--\r\n`,
      ],
    ];
    for (const [type, body] of formPosts) {
      const response = await request(server)
        .post('/auth/login')
        .set('Host', APP_HOST)
        .set({ 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example.test' })
        .set('Content-Type', type)
        .send(body);

      expect(response.status).toBe(401);
      expect(findSessionCookie(response)).toBeUndefined();
    }
  });
});
