import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { getSetCookies } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.1.1: the application never reveals session tokens in URL parameters. The token
// travels in the cookie only: it is never put in a URL, body or other header, and a token
// offered anywhere but the cookie (query string, body, Authorization) authenticates no one.

/** Every header of a response except Set-Cookie, as text. */
function headersBesidesSetCookie(response: request.Response): string {
  return Object.entries(response.headers)
    .filter(([name]) => name !== 'set-cookie')
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('\n');
}

describe('ASVS 3.1.1: no session token in URLs', () => {
  const keyPrefix = uniquePrefix('asvs-3.1.1');
  let app: INestApplication;
  let server: Server;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
    ({ token } = await logInSession(server, 'ann@example.com'));
  });

  afterAll(async () => {
    await app.close();
  });

  it('issues the token in Set-Cookie only: never in the body, a Location or another header', async () => {
    const login = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });
    const issued = getSetCookies(login).join('\n');
    const fresh = /sid=([A-Za-z0-9_-]{43})/.exec(issued)?.[1] ?? '';
    expect(fresh).toHaveLength(43);

    const cookie = `sid=${fresh}`;
    const responses = [
      login,
      await request(server).get('/me').set('Cookie', cookie),
      await request(server).get('/sessions').set('Cookie', cookie),
      await request(server).get('/').set('Cookie', cookie),
      await request(server).get('/account').set('Cookie', cookie),
    ];
    for (const response of responses) {
      expect(response.text ?? '').not.toContain(fresh);
      expect(headersBesidesSetCookie(response)).not.toContain(fresh);
    }
  });

  it.each([
    ['?sid=', (t: string) => `/me?sid=${t}`, 401],
    ['?__Host-sid=', (t: string) => `/me?__Host-sid=${t}`, 401],
    ['?token=', (t: string) => `/me?token=${t}`, 401],
    ['?session=', (t: string) => `/me?session=${t}`, 401],
    ['a path segment', (t: string) => `/me/${t}`, 404],
  ])('ignores a token in the URL (%s)', async (_label, url, status) => {
    const response = await request(server).get(url(token));

    expect(response.status).toBe(status);
    expect(response.text).not.toContain(token);
  });

  it('ignores a token in the JSON body: logout without the cookie is 401 and the session lives on', async () => {
    for (const body of [
      { sid: token },
      { token },
      { session: token },
      { Cookie: `sid=${token}` },
    ]) {
      const response = await request(server).post('/auth/logout').send(body);
      expect(response.status).toBe(401);
    }

    expect((await request(server).get('/me').set('Cookie', `sid=${token}`)).status).toBe(200);
  });

  it('ignores a token in other headers (Authorization, X-Session-Id)', async () => {
    const bearer = await request(server).get('/me').set('Authorization', `Bearer ${token}`);
    const custom = await request(server).get('/me').set('X-Session-Id', token);

    expect([bearer.status, custom.status]).toEqual([401, 401]);
  });

  it('names sessions in URLs by their public id, never by the token', async () => {
    const listed = await request(server).get('/sessions').set('Cookie', `sid=${token}`);
    const ids = (listed.body as Array<{ id: string }>).map((session) => session.id);

    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(token);
    // A token used where an id belongs names nothing: 404, and the session stays valid.
    const byToken = await request(server)
      .delete(`/sessions/${token}`)
      .set('Cookie', `sid=${token}`);
    expect(byToken.status).toBe(404);
    expect((await request(server).get('/me').set('Cookie', `sid=${token}`)).status).toBe(200);
  });
});
