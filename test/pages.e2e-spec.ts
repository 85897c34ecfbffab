import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, logInSession, signUp } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { startRedisServer, type RedisServerHandle } from './support/redis-server.js';
import { uniquePrefix } from './support/unique-prefix.js';

const HTML = 'text/html; charset=utf-8';

/** Every `/assets/...` URL a document loads (scripts, styles, icon). */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
}

/** What a strict `default-src 'self'` CSP would block: inline scripts, styles, handlers. */
function expectNoInlineCode(html: string): void {
  for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) expect(tag).toMatch(/\ssrc="\/assets\//);
  expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
  expect(html).not.toMatch(/<style\b/);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/\son[a-z]+=/);
  expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
}

describe('pages: /, /signup and /account over HTTP', () => {
  let app: INestApplication;
  let server: Server;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix: uniquePrefix('pages') });
    server = app.getHttpServer();
    await signUp(server, 'pages@example.com');
    token = await logIn(server, 'pages@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('GET / without a session is the login form: labelled inputs, a button, a signup link', async () => {
    const response = await request(server).get('/');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(HTML);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.text).toMatch(/<label for="email">Email<\/label>\s*<input id="email"/);
    expect(response.text).toMatch(
      /<label for="password">Password<\/label>\s*<input\s+id="password"/,
    );
    expect(response.text).toMatch(/<button type="submit">Log in<\/button>/);
    expect(response.text).toMatch(/<a href="\/signup">Sign up<\/a>/);
    expectNoInlineCode(response.text);
  });

  it('GET /signup without a session is the signup form, labelled the same way', async () => {
    const response = await request(server).get('/signup');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(HTML);
    expect(response.text).toMatch(/<label for="email">Email<\/label>/);
    expect(response.text).toMatch(/<label for="password">Password<\/label>/);
    expect(response.text).toMatch(/<button type="submit">Sign up<\/button>/);
    expectNoInlineCode(response.text);
  });

  it.each(['/', '/signup'])('GET %s with a session redirects to /account', async (path) => {
    const response = await request(server).get(path).set('Cookie', `sid=${token}`);

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/account');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('GET /account with a session is the account page, with no user data in the HTML', async () => {
    const response = await request(server).get('/account').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(HTML);
    expect(response.headers['cache-control']).toBe('no-store');
    // The script fills in the email and devices with textContent, from GET /me and /sessions.
    expect(response.text).not.toContain('pages@example.com');
    expect(response.text).toMatch(/<button id="log-out" type="button">Log out<\/button>/);
    expect(response.text).toMatch(/Sign out all other devices<\/button>/);
    expectNoInlineCode(response.text);
  });

  it('GET /account without a session redirects to /', async () => {
    const response = await request(server).get('/account');

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/');
  });

  it('GET /account with a dead cookie redirects to / and clears the cookie', async () => {
    const dead = await logIn(server, 'pages@example.com');
    await request(server).post('/auth/logout').set('Cookie', `sid=${dead}`).expect(204);

    const response = await request(server).get('/account').set('Cookie', `sid=${dead}`);

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/');
    expect(findSessionCookie(response, 'sid')).toMatchObject({ value: '' });
  });

  it('serves every asset the pages load, with its content type, and 404 for others', async () => {
    const documents = await Promise.all([
      request(server).get('/'),
      request(server).get('/signup'),
      request(server).get('/account').set('Cookie', `sid=${token}`),
    ]);
    const urls = new Set(documents.flatMap((document) => assetUrls(document.text)));
    // The account page's script imports the shared module.
    urls.add('/assets/api.js');
    expect(urls.size).toBeGreaterThanOrEqual(6);

    for (const url of urls) {
      const response = await request(server).get(url);
      expect(response.status, url).toBe(200);
      const type = url.endsWith('.js')
        ? /^text\/javascript/
        : url.endsWith('.css')
          ? /^text\/css/
          : /^image\/svg\+xml/;
      expect(response.headers['content-type'], url).toMatch(type);
    }
    expect((await request(server).get('/assets/nope.js')).status).toBe(404);
    expect((await request(server).get('/assets/')).status).toBe(404);
  });

  it("lets the pages' same-origin fetches through the CSRF guard", async () => {
    const { token: current } = await logInSession(server, 'pages@example.com');
    const other = await logInSession(server, 'pages@example.com');
    const sameOrigin = (call: request.Test): request.Test =>
      call
        .set('Cookie', `sid=${current}`)
        .set('Host', 'pages.test')
        .set('Origin', 'http://pages.test')
        .set('Sec-Fetch-Site', 'same-origin');

    expect((await sameOrigin(request(server).delete(`/sessions/${other.sessionId}`))).status).toBe(
      204,
    );
    expect((await sameOrigin(request(server).delete('/sessions'))).status).toBe(204);
    expect((await sameOrigin(request(server).post('/auth/logout'))).status).toBe(204);
  });
});

describe('pages while Redis is unreachable', () => {
  let redisServer: RedisServerHandle;
  let app: INestApplication;
  let server: Server;
  let token: string;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    app = await createTestApp({ redisUrl: redisServer.url, keyPrefix: uniquePrefix('pages-down') });
    server = app.getHttpServer();
    await signUp(server, 'down@example.com');
    token = await logIn(server, 'down@example.com');
    redisServer.kill('SIGKILL');
    await redisServer.waitForExit();
  });

  afterAll(async () => {
    await app.close();
    await redisServer.stop();
  });

  it.each(['/', '/account'])(
    'GET %s with a cookie answers an HTML 503 with Retry-After',
    async (path) => {
      const response = await request(server).get(path).set('Cookie', `sid=${token}`);

      expect(response.status).toBe(503);
      expect(response.headers['content-type']).toBe(HTML);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.text).toContain('temporarily unavailable');
      expectNoInlineCode(response.text);
    },
  );

  it('GET / without a cookie still shows the login form: it needs no Redis', async () => {
    const response = await request(server).get('/');

    expect(response.status).toBe(200);
    expect(response.text).toContain('<button type="submit">Log in</button>');
  });
});
