import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { inject } from 'vitest';
import { PasswordHasher } from '../../src/auth/password-hasher.js';
import { logIn, logInSession, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { createTestApp } from '../support/create-test-app.js';
import { timed } from '../support/poll-until.js';
import { httpRequestBytes, rawRequest, type RawResponse } from '../support/raw-http.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// RELIABILITY §8, the rows that malformed-cookie, signup and login do not already cover:
// hostile bytes and sizes in headers, cookies and bodies. Whatever arrives: never a 5xx, never
// a prototype change, never an echo into a header, and nothing reaches argon2 or Redis that
// cannot be a real credential or session.

const NON_UTF8 = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x80]);

describe('bad input (RELIABILITY §8)', () => {
  const keyPrefix = uniquePrefix('bad-input');
  let app: INestApplication;
  let server: Server;
  let port: number;
  let token: string;

  const me = (cookie: string) => request(server).get('/me').set('Cookie', cookie);

  function raw(lines: Array<string | Buffer>, body?: Buffer): Promise<RawResponse> {
    return rawRequest(port, httpRequestBytes(lines, body));
  }

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer();
    port = (server.address() as AddressInfo).port;
    await signUp(server, 'ann@example.com');
    token = await logIn(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  describe('non-UTF-8 bytes in cookies and headers: 400 or anonymous, never 500', () => {
    it.each([
      ['as the whole session cookie', Buffer.concat([Buffer.from('sid='), NON_UTF8])],
      ['after a valid token', Buffer.concat([Buffer.from('sid=x'), NON_UTF8])],
      ['as a cookie name', Buffer.concat([NON_UTF8, Buffer.from('=1; sid=nope')])],
    ])('in the Cookie header %s', async (_case, cookie) => {
      const response = await raw([
        'GET /me HTTP/1.1',
        'Host: localhost',
        Buffer.concat([Buffer.from('Cookie: '), cookie]),
        'Connection: close',
      ]);

      expect([400, 401]).toContain(response.status);
    });

    it('next to the valid session cookie, which still works', async () => {
      const response = await raw([
        'GET /me HTTP/1.1',
        'Host: localhost',
        Buffer.concat([Buffer.from('Cookie: junk='), NON_UTF8, Buffer.from(`; sid=${token}`)]),
        'Connection: close',
      ]);

      expect(response.status).toBe(200);
    });

    it('in the User-Agent of a login, which is then listed without a 500', async () => {
      const body = Buffer.from(
        JSON.stringify({ email: 'ann@example.com', password: TEST_PASSWORD }),
      );
      const login = await raw(
        [
          'POST /auth/login HTTP/1.1',
          'Host: localhost',
          'Content-Type: application/json',
          `Content-Length: ${body.length}`,
          Buffer.concat([Buffer.from('User-Agent: Mozilla/5.0 '), NON_UTF8]),
          'Connection: close',
        ],
        body,
      );
      expect(login.status).toBe(200);
      const cookie = login.headers.find(([name]) => name === 'set-cookie')?.[1] ?? '';
      const session = cookie.split(';')[0] ?? '';

      const listed = await request(server).get('/sessions').set('Cookie', session);

      expect(listed.status).toBe(200);
    });

    it.each([
      ['another header', Buffer.concat([Buffer.from('X-Custom: '), NON_UTF8])],
      ['the request target', null],
    ])('in %s', async (_case, header) => {
      const lines: Array<string | Buffer> =
        header === null
          ? [Buffer.concat([Buffer.from('GET /me'), NON_UTF8, Buffer.from(' HTTP/1.1')])]
          : ['GET /me HTTP/1.1', header];
      const response = await raw([...lines, 'Host: localhost', 'Connection: close']);

      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });

    it('in a JSON body', async () => {
      const body = Buffer.concat([
        Buffer.from('{"email":"ann@example.com","password":"'),
        NON_UTF8,
        Buffer.from('"}'),
      ]);
      const response = await raw(
        [
          'POST /auth/login HTTP/1.1',
          'Host: localhost',
          'Content-Type: application/json',
          `Content-Length: ${body.length}`,
          'Connection: close',
        ],
        body,
      );

      expect([400, 401]).toContain(response.status);
    });
  });

  describe('oversized headers', () => {
    it.each([
      ['GET /me', () => request(server).get('/me')],
      ['GET /health', () => request(server).get('/health')],
      ['POST /auth/login', () => request(server).post('/auth/login')],
    ])('a Cookie header over 16 KiB on %s: 431 from Node, not 500', async (_case, call) => {
      const response = await call().set('Cookie', `sid=${token}; pad=${'x'.repeat(17 * 1024)}`);

      expect(response.status).toBe(431);
    });

    it('many headers adding up to over 16 KiB: 431', async () => {
      const lines = ['GET /me HTTP/1.1', 'Host: localhost'];
      for (let i = 0; i < 40; i++) lines.push(`X-Filler-${i}: ${'y'.repeat(500)}`);

      const response = await raw([...lines, 'Connection: close']);

      expect(response.status).toBe(431);
    });
  });

  describe('many and hostile cookie names', () => {
    it('1000 cookies: parsed quickly; the session among them still authenticates', async () => {
      const junk = Array.from({ length: 999 }, (_, i) => `c${i}=v`).join('; ');

      const { result: withSession, ms } = await timed(() => me(`${junk}; sid=${token}`));
      const withoutSession = await me(`${junk}; last=1`);

      expect(withSession.status).toBe(200);
      expect(ms).toBeLessThan(500);
      expect(withoutSession.status).toBe(401);
    });

    it('cookies named __proto__, constructor or prototype change no prototype', async () => {
      const hostile = [
        '__proto__=polluted',
        'constructor=polluted',
        'prototype=polluted',
        'hasOwnProperty=polluted',
        'toString=polluted',
        '__proto__[polluted]=yes',
      ].join('; ');

      const [withSession, alone] = await Promise.all([me(`${hostile}; sid=${token}`), me(hostile)]);

      expect(withSession.status).toBe(200);
      expect(alone.status).toBe(401);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('JSON bodies with __proto__ and constructor keys change no prototype', async () => {
      const polluting = (email: string) =>
        '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
        `"email":"${email}","password":"long enough password"}`;
      // The login names an account nobody signs up: had it raced the signup beside it and won,
      // its new session would have replaced ann's (the cookie) for the tests below.
      const attempts: Array<[path: string, email: string]> = [
        ['/auth/signup', 'pp@example.com'],
        ['/auth/login', 'pp-never-signed-up@example.com'],
        ['/auth/elevate', 'pp@example.com'],
        ['/auth/password', 'pp@example.com'],
      ];
      const responses = await Promise.all(
        attempts.map(([path, email]) =>
          request(server)
            .post(path)
            .set('Cookie', `sid=${token}`)
            .set('Content-Type', 'application/json')
            .send(polluting(email)),
        ),
      );

      for (const response of responses) expect(response.status).toBeLessThan(500);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });
  });

  describe('header injection through the User-Agent', () => {
    it.each([
      ['a bare CR', 'User-Agent: evil\rX-Injected: yes'],
      ['a bare LF', 'User-Agent: evil\nX-Injected: yes'],
      ['a NUL byte', 'User-Agent: evil\0X-Injected: yes'],
    ])('%s is refused by Node with 400, never reflected', async (_case, header) => {
      const response = await raw([
        'GET /me HTTP/1.1',
        'Host: localhost',
        header,
        'Connection: close',
      ]);

      expect(response.status).toBe(400);
      expect(response.headers.map(([name]) => name)).not.toContain('x-injected');
    });

    it('obsolete line folding never turns into a header of the response', async () => {
      const body = Buffer.from(
        JSON.stringify({ email: 'ann@example.com', password: TEST_PASSWORD }),
      );
      const response = await raw(
        [
          'POST /auth/login HTTP/1.1',
          'Host: localhost',
          'Content-Type: application/json',
          `Content-Length: ${body.length}`,
          'User-Agent: first line',
          ' Set-Cookie: injected=1',
          'Connection: close',
        ],
        body,
      );

      expect(response.status).toBeLessThan(500);
      expect(response.raw).not.toMatch(/^set-cookie: injected/im);
      expect(response.headers.map(([, value]) => value).join('\n')).not.toContain('injected=1');
    });

    it('a User-Agent with CR/LF look-alikes is kept as text in JSON, never in a header', async () => {
      const userAgent = 'Evil%0d%0aSet-Cookie:%20x=1 \\r\\n ; Path=/';
      const session = await logInSession(server, 'ann@example.com', { userAgent });

      const listed = await request(server).get('/sessions').set('Cookie', `sid=${session.token}`);

      const current = (listed.body as Array<{ current: boolean; userAgent: string }>).find(
        (device) => device.current,
      );
      expect(current?.userAgent).toBe(userAgent);
      expect(JSON.stringify(listed.headers)).not.toContain('x=1');
    });
  });

  describe('a huge, hostile User-Agent for the device list', () => {
    it('is stored truncated to 512 characters and shown JSON-escaped, never as markup', async () => {
      const userAgent = `"><script>alert(1)</script>${'A'.repeat(8000)}`;
      const session = await logInSession(server, 'ann@example.com', { userAgent });

      const listed = await request(server).get('/sessions').set('Cookie', `sid=${session.token}`);

      const current = (listed.body as Array<{ current: boolean; userAgent: string }>).find(
        (device) => device.current,
      );
      expect(current?.userAgent).toBe(userAgent.slice(0, 512));
      expect(listed.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(listed.headers['x-content-type-options']).toBe('nosniff');
      // The quote is escaped inside the JSON string, so the value cannot break out of it.
      expect(listed.text).toContain('\\"><script>');
      expect(listed.text.length).toBeLessThan(8000);
    });
  });

  describe('bodies', () => {
    it.each(['/auth/login', '/auth/elevate', '/auth/password', '/admin/users/x/roles'])(
      'malformed JSON to %s: 400 without quoting the body',
      async (path) => {
        const response = await request(server)
          .post(path)
          .set('Cookie', `sid=${token}`)
          .set('Content-Type', 'application/json')
          .send('{"password": "hunter2-secret",');

        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: 'Malformed JSON body',
        });
        expect(response.text).not.toContain('hunter2');
      },
    );

    it.each(['/auth/login', '/auth/elevate', '/auth/password'])(
      'a body over 128 KiB to %s: 413',
      async (path) => {
        const response = await request(server)
          .post(path)
          .set('Cookie', `sid=${token}`)
          .send({ password: 'x'.repeat(130 * 1024) });

        expect(response.status).toBe(413);
        expect(response.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      },
    );
  });

  describe('oversized passwords are refused before argon2 runs', () => {
    // A 100 kB password fits the 128 KiB JSON limit and, like a 300-character one, is refused by
    // the length check (400 at signup and in a password change, a failed login at login) before
    // hashing.
    const HUNDRED_KB = 'p'.repeat(100 * 1024);
    const OVER_LIMIT = 'p'.repeat(300);

    beforeAll(async () => {
      // Warm the routes up, so the timings below measure the refusal, not a first-call JIT.
      await request(server).post('/auth/signup').send({ email: 'warm@example.com', password: 'x' });
      await request(server).post('/auth/login').send({ email: 'warm@example.com', password: '' });
    });

    afterEach(() => {
      vi.restoreAllMocks();
    });

    it.each([
      ['signup', '/auth/signup', { email: 'big@example.com', password: HUNDRED_KB }, 400],
      ['login', '/auth/login', { email: 'ann@example.com', password: HUNDRED_KB }, 401],
      ['signup', '/auth/signup', { email: 'big@example.com', password: OVER_LIMIT }, 400],
      ['login', '/auth/login', { email: 'ann@example.com', password: OVER_LIMIT }, 401],
      [
        'password change',
        '/auth/password',
        { currentPassword: TEST_PASSWORD, newPassword: OVER_LIMIT },
        400,
      ],
      ['step-up', '/auth/elevate', { password: OVER_LIMIT }, 401],
    ])(
      '%s with %#: answered in under 100 ms without hashing',
      async (_route, path, body, status) => {
        const hasher = app.get(PasswordHasher);
        const calls = [
          vi.spyOn(hasher, 'hash'),
          vi.spyOn(hasher, 'verify'),
          vi.spyOn(hasher, 'verifyNothing'),
        ];

        const { result: response, ms } = await timed(() =>
          request(server).post(path).set('Cookie', `sid=${token}`).send(body),
        );

        expect(response.status).toBe(status);
        expect(ms).toBeLessThan(100);
        for (const call of calls) expect(call).not.toHaveBeenCalled();
      },
    );
  });

  describe('emails and unknown fields', () => {
    it('normalises spaces and case identically at signup and at login', async () => {
      const created = await request(server)
        .post('/auth/signup')
        .send({ email: '  Dora.Jones@Example.COM ', password: TEST_PASSWORD });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ email: 'dora.jones@example.com' });

      const login = await request(server)
        .post('/auth/login')
        .send({ email: 'DORA.JONES@example.com  ', password: TEST_PASSWORD });
      const again = await request(server)
        .post('/auth/signup')
        .send({ email: 'dora.jones@EXAMPLE.com', password: TEST_PASSWORD });

      expect(login.status).toBe(200);
      expect((login.body as { user: { id: string } }).user.id).toBe(
        (created.body as { id: string }).id,
      );
      expect(again.status).toBe(409);
    });

    it('strips roles and other unknown fields from a signup and ignores them at login', async () => {
      const created = await request(server)
        .post('/auth/signup')
        .send({
          email: 'eve@example.com',
          password: TEST_PASSWORD,
          roles: ['admin'],
          id: 'chosen-id',
          passwordHash: '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA',
        });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ roles: ['user'] });
      expect((created.body as { id: string }).id).not.toBe('chosen-id');

      const login = await request(server)
        .post('/auth/login')
        .send({ email: 'eve@example.com', password: TEST_PASSWORD, roles: ['admin'] });
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ user: { roles: ['user'] } });
    });
  });
});

describe('S1: a malformed session cookie costs no Redis command', () => {
  let redisServer: RedisServerHandle;
  let admin: Redis;
  let app: INestApplication;
  let server: Server;

  /** Commands the server has run, the INFO calls of this test aside. */
  async function commandsRun(): Promise<number> {
    const info = await admin.info('commandstats');
    return [...info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)]
      .filter(([, name]) => name !== 'info')
      .reduce((sum, [, , calls]) => sum + Number(calls), 0);
  }

  beforeAll(async () => {
    redisServer = await startRedisServer();
    admin = new Redis(redisServer.url);
    app = await createTestApp({ redisUrl: redisServer.url, keyPrefix: uniquePrefix('s1') });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
    await admin.quit();
    await redisServer.stop();
  });

  it('reads nothing from Redis for tokens that cannot be one, and once for a well-formed one', async () => {
    const malformed = [
      'sid=',
      `sid=${'a'.repeat(42)}`,
      `sid=${'a'.repeat(44)}`,
      `sid=${'a+/'.repeat(14)}a`,
      `sid="${'q'.repeat(43)}"`,
      `sid=${'%41'.repeat(43)}`,
      `sid=${'é'.repeat(43)}`,
      `sid=${'x'.repeat(4096)}`,
      `sid=${'b'.repeat(43)}; sid=${'c'.repeat(43)}`,
    ];
    const before = await commandsRun();

    for (const cookie of malformed) {
      expect((await request(server).get('/me').set('Cookie', cookie)).status).toBe(401);
    }

    expect(await commandsRun()).toBe(before);
    await request(server)
      .get('/me')
      .set('Cookie', `sid=${'Z'.repeat(43)}`)
      .expect(401);
    expect(await commandsRun()).toBeGreaterThan(before);
  });
});
