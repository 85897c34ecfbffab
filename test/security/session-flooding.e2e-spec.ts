import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, type LoggedInSession } from '../support/auth-requests.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// RELIABILITY S12: the sessions of one user are limited (the module's maxSessionsPerUser, 100 in
// the sample app): the 101st login signs out the least recently used one, so a script that
// logs in forever cannot grow Redis or the device list without bound. Visitors without a login
// write nothing at all.

const MAX_SESSIONS = 100;
// Below the 5 attempts per account the login throttle lets through at once: it counts an
// attempt before checking its password, so more concurrent logins of one account than that
// would be refused with 429 even when right (README, "Login throttling").
const CONCURRENCY = 4;

describe('S12: session flooding', () => {
  const keyPrefix = uniquePrefix('session-flooding');
  let app: INestApplication;
  let server: Server;

  const me = (token: string) => request(server).get('/me').set('Cookie', `sid=${token}`);

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it(`keeps at most ${MAX_SESSIONS} sessions per user, signing out the least recently used`, async () => {
    const oldest = await logInSession(server, 'ann@example.com');
    const others: LoggedInSession[] = [];
    let started = 1;
    const worker = async (): Promise<void> => {
      while (started < MAX_SESSIONS) {
        started += 1;
        others.push(await logInSession(server, 'ann@example.com'));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect((await me(oldest.token)).status).toBe(200);

    const newest = await logInSession(server, 'ann@example.com');

    const listed = await request(server).get('/sessions').set('Cookie', `sid=${newest.token}`);
    const ids = (listed.body as Array<{ id: string }>).map((session) => session.id);
    expect(ids).toHaveLength(MAX_SESSIONS);
    expect(ids).toContain(newest.sessionId);
    expect(ids).not.toContain(oldest.sessionId);
    // `oldest` was used a moment ago, but the touch interval (60 s) had not passed, so its
    // last-seen time is still its login time: it is the least recently used one.
    expect((await me(oldest.token)).status).toBe(401);
    expect((await me(newest.token)).status).toBe(200);
  });
});
