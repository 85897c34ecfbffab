import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { UNAUTHENTICATED } from './support/expected-responses.js';

// Well-formed (43 base64url characters) but issued by no one.
const UNKNOWN_TOKEN = 'Zz9_unknown-token_000000000000000000000000';
const GARBAGE_4KB = Array.from({ length: 4096 }, (_, i) => 'aZ9!#$%&*+-.^_`|~'[i % 17]).join('');

describe('malformed session cookies are no session: 401, never 500, never echoed', () => {
  const keyPrefix = uniquePrefix('malformed-cookie');
  let app: INestApplication;
  let server: Server;
  let valid: string;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
    valid = await logIn(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  // Cookie header values, each with the part that must never come back in a response.
  const cases: Array<[string, string, string]> = [
    ['an empty value', 'sid=', 'sid='],
    ['a value one character short', `sid=${'a'.repeat(42)}`, 'a'.repeat(42)],
    ['a value one character long', `sid=${'a'.repeat(44)}`, 'a'.repeat(44)],
    ['the wrong alphabet (standard base64)', `sid=${'a+/'.repeat(14)}a`, `${'a+/'.repeat(14)}a`],
    ['a quoted value', `sid="${'q'.repeat(43)}"`, 'q'.repeat(43)],
    ['a %-encoded value', `sid=${'%41'.repeat(43)}`, '%41'.repeat(43)],
    ['a value with non-ASCII characters', `sid=${'é'.repeat(43)}`, 'é'.repeat(43)],
    ['4 KB of garbage', `sid=${GARBAGE_4KB}`, GARBAGE_4KB],
    ['a well-formed unknown token', `sid=${UNKNOWN_TOKEN}`, UNKNOWN_TOKEN],
    ['the name twice, both unknown', `sid=${UNKNOWN_TOKEN}; sid=${'b'.repeat(43)}`, UNKNOWN_TOKEN],
    ['prototype-polluting cookie names', '__proto__=x; constructor=y; sid=nope', 'nope'],
  ];

  it.each(cases)('GET /me with %s answers 401', async (_case, cookie, secret) => {
    const response = await request(server).get('/me').set('Cookie', cookie);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
    expect(response.text).not.toContain(secret);
    // The only session cookie it may send is the one that clears it.
    expect(findSessionCookie(response, 'sid')?.value ?? '').toBe('');
  });

  it.each(cases)('POST /auth/logout with %s answers 401', async (_case, cookie) => {
    const response = await request(server).post('/auth/logout').set('Cookie', cookie);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it('clears a rejected cookie (Max-Age=0)', async () => {
    const response = await request(server).get('/me').set('Cookie', `sid=${UNKNOWN_TOKEN}`);

    const cleared = findSessionCookie(response, 'sid');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes['max-age']).toBe('0');
  });

  it('treats a valid token sent twice with another value as ambiguous: no session', async () => {
    for (const cookie of [
      `sid=${valid}; sid=${UNKNOWN_TOKEN}`,
      `sid=${UNKNOWN_TOKEN}; sid=${valid}`,
    ]) {
      const response = await request(server).get('/me').set('Cookie', cookie);
      expect(response.status).toBe(401);
      expect(response.body).toEqual(UNAUTHENTICATED);
    }
  });

  it('does not mistake similarly named cookies for the session cookie', async () => {
    const response = await request(server)
      .get('/me')
      .set('Cookie', `xsid=${valid}; sid_old=${valid}; __Host-sid=${valid}`);

    expect(response.status).toBe(401);
  });

  it('still finds the valid cookie among many others', async () => {
    const others = Array.from({ length: 200 }, (_, i) => `c${i}=${'v'.repeat(20)}`).join('; ');

    const response = await request(server).get('/me').set('Cookie', `${others}; sid=${valid}`);

    expect(response.status).toBe(200);
  });

  it('answers 401 for 1000 junk cookies without the session one', async () => {
    const junk = Array.from({ length: 1000 }, (_, i) => `j${i}=x`).join('; ');

    const response = await request(server).get('/me').set('Cookie', junk);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it('leaves Object.prototype untouched', async () => {
    await request(server).get('/me').set('Cookie', '__proto__=polluted; constructor=polluted');

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('ignores a token in the query string or the body', async () => {
    const query = await request(server).get('/me').query({ sid: valid });
    const body = await request(server).post('/auth/logout').send({ sid: valid });

    expect([query.status, body.status]).toEqual([401, 401]);
  });

  it('lets Node refuse a Cookie header over 16 KiB with 431, not 500', async () => {
    const response = await request(server)
      .get('/me')
      .set('Cookie', `sid=${'x'.repeat(17 * 1024)}`);

    expect(response.status).toBe(431);
  });
});
