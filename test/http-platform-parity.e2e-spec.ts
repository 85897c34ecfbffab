import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import type { HttpAdapterName } from '../src/config/app-config.js';
import { logIn, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { getSetCookies } from './support/cookies.js';
import { createTestApp, type TestAppSettings } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';

// HTTP_ADAPTER: one contract on both platforms. Every e2e file also runs on Fastify (project
// e2e-fastify); this one puts the two side by side on the requests where Express and Fastify
// differ unless the app makes them agree: routing, body parsing, assets, proxies.

const PLATFORMS: readonly HttpAdapterName[] = ['express', 'fastify'];

// Everything a client could tell the two platforms apart by, with ids and times masked.
const COMPARED_HEADERS = [
  'content-type',
  'cache-control',
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'strict-transport-security',
  'x-powered-by',
  'location',
  'retry-after',
];

interface RunningApp {
  app: INestApplication;
  server: Server;
  token: string;
}

/** The body with ids and times masked; JSON parsed, so the order of keys does not count. */
function maskedBody(text: string | undefined): unknown {
  const masked = (text ?? '')
    .replace(/"id":"[^"]+"/g, '"id":"…"')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '…');
  try {
    return JSON.parse(masked) as unknown;
  } catch {
    return masked;
  }
}

function comparable(response: request.Response) {
  const headers = Object.fromEntries(
    COMPARED_HEADERS.map((name) => [name, response.headers[name] as unknown]),
  );
  return {
    status: response.status,
    headers,
    body: maskedBody(response.text),
    setCookie: getSetCookies(response).map((cookie) => cookie.replace(/=[^;]*/, '=…')),
  };
}

async function startBoth(settings: Omit<TestAppSettings, 'keyPrefix' | 'httpAdapter'>) {
  const apps = {} as Record<HttpAdapterName, RunningApp>;
  for (const platform of PLATFORMS) {
    const app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix: uniquePrefix(`parity-${platform}`),
      httpAdapter: platform,
      ...settings,
    });
    const server = app.getHttpServer() as Server;
    await signUp(server, 'ann@example.com');
    apps[platform] = { app, server, token: await logIn(server, 'ann@example.com') };
  }
  return apps;
}

type Send = (server: Server, token: string) => request.Test;

const CASES: Array<[string, number, Send]> = [
  ['a trailing slash: GET /me/', 200, (s, t) => request(s).get('/me/').set('Cookie', `sid=${t}`)],
  ['another case: GET /ME', 200, (s, t) => request(s).get('/ME').set('Cookie', `sid=${t}`)],
  [
    'a 300-character session id',
    404,
    (s, t) =>
      request(s)
        .delete(`/sessions/${'x'.repeat(300)}`)
        .set('Cookie', `sid=${t}`),
  ],
  ['an unknown route', 404, (s) => request(s).get('/no-such-route')],
  ['a path the router cannot decode', 400, (s) => request(s).get('/%ZZ')],
  [
    'a login form post (never parsed)',
    401,
    (s) =>
      request(s)
        .post('/auth/login')
        .type('form')
        .send(`email=ann%40example.com&password=${encodeURIComponent(TEST_PASSWORD)}`),
  ],
  [
    'a login as text/plain (never parsed)',
    401,
    (s) =>
      request(s)
        .post('/auth/login')
        .set('Content-Type', 'text/plain')
        .send(JSON.stringify({ email: 'ann@example.com', password: TEST_PASSWORD })),
  ],
  [
    'malformed JSON',
    400,
    (s) => request(s).post('/auth/signup').set('Content-Type', 'application/json').send('{"a":'),
  ],
  ['a JSON string, not an object', 400, (s) => json(s, '"ann@example.com"')],
  ['an empty JSON body', 401, (s) => json(s, '')],
  [
    'a JSON body over 128 KiB',
    413,
    (s) =>
      request(s)
        .post('/auth/signup')
        .send({ email: 'x'.repeat(130 * 1024) }),
  ],
  [
    'JSON in a charset body-parser does not take',
    415,
    (s) =>
      request(s)
        .post('/auth/login')
        .set('Content-Type', 'application/json; charset=latin1')
        .send('{}'),
  ],
  [
    'a cookie naming no session',
    401,
    (s) =>
      request(s)
        .get('/me')
        .set('Cookie', `sid=${'Z'.repeat(43)}`),
  ],
  ['the login page', 200, (s) => request(s).get('/')],
  ['a page that redirects', 302, (s) => request(s).get('/account')],
  ['a script asset', 200, (s) => request(s).get('/assets/login.js')],
  ['a style asset', 200, (s) => request(s).get('/assets/pages.css')],
  ['the assets folder itself', 404, (s) => request(s).get('/assets/')],
  ['a missing asset', 404, (s) => request(s).get('/assets/nope.js')],
  ['HEAD of a JSON route', 200, (s) => request(s).head('/health')],
];

// Not compared: a Content-Type header that cannot be parsed at all (`;;;`). Express leaves such
// a body unparsed (a login then fails with 401); Fastify refuses it with 415 before any parser
// runs. Either way no credentials are read from it.
function json(server: Server, body: string): request.Test {
  return request(server).post('/auth/login').set('Content-Type', 'application/json').send(body);
}

describe('the same answers on Express and Fastify (HTTP_ADAPTER)', () => {
  let apps: Record<HttpAdapterName, RunningApp>;

  beforeAll(async () => {
    apps = await startBoth({});
  });

  afterAll(async () => {
    await Promise.all(PLATFORMS.map((platform) => apps?.[platform]?.app.close()));
  });

  it('runs one app on each platform', () => {
    expect(PLATFORMS.map((platform) => apps[platform].app.getHttpAdapter().getType())).toEqual([
      'express',
      'fastify',
    ]);
  });

  it.each(CASES)('%s: %i on both, with the same body and headers', async (_case, status, send) => {
    const [onExpress, onFastify] = await Promise.all(
      PLATFORMS.map(async (platform) =>
        comparable(await send(apps[platform].server, apps[platform].token)),
      ),
    );

    expect(onExpress?.status).toBe(status);
    expect(onFastify).toEqual(onExpress);
  });
});

describe('TRUST_PROXY means the same on both platforms', () => {
  it.each([
    ['a hop count', '1', /^203\.0\.113\.7$/, 'https'],
    ['an address preset', 'loopback', /^203\.0\.113\.7$/, 'https'],
    ['nothing trusted', undefined, /^(::ffff:)?127\.0\.0\.1$/, 'http'],
  ])('%s: the device address and the scheme seen', async (_case, trustProxy, ip, scheme) => {
    const apps = await startBoth({ trustProxy });
    try {
      for (const platform of PLATFORMS) {
        const { server } = apps[platform];
        const token = await logIn(server, 'ann@example.com');
        const proxied = await request(server)
          .post('/auth/login')
          .set('X-Forwarded-For', '203.0.113.7')
          .set('X-Forwarded-Proto', 'https')
          .send({ email: 'ann@example.com', password: TEST_PASSWORD });
        const listed = await request(server).get('/sessions').set('Cookie', `sid=${token}`);
        const { session } = proxied.body as { session: { id: string } };
        const device = (listed.body as Array<{ id: string; ip: string }>).find(
          (listedDevice) => listedDevice.id === session.id,
        );
        // The pages' own-origin check uses the scheme: a same-origin POST through the proxy.
        const own = await request(server)
          .delete('/sessions')
          .set('Cookie', `sid=${token}`)
          .set('Host', 'app.example.test')
          .set('Origin', `${scheme}://app.example.test`)
          .set('X-Forwarded-Proto', 'https');

        expect(proxied.status, platform).toBe(200);
        expect(device?.ip, platform).toMatch(ip);
        expect(own.status, platform).toBe(204);
      }
    } finally {
      await Promise.all(PLATFORMS.map((platform) => apps[platform].app.close()));
    }
  });
});
