import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, type LoggedInSession } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { UNAUTHENTICATED } from './support/expected-responses.js';

const SESSION_NOT_FOUND = {
  statusCode: 404,
  error: 'Not Found',
  message: 'Session not found',
};
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$/;

// Real user agents of three devices one person might use.
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const LINUX_FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0';

interface Devices {
  windows: LoggedInSession;
  iphone: LoggedInSession;
  linux: LoggedInSession;
}

interface DeviceBody {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string;
  userAgent: string;
  device: { browser: string; os: string; type: string };
}

describe('devices: GET /sessions, DELETE /sessions/:id, DELETE /sessions', () => {
  const keyPrefix = uniquePrefix('devices');
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    // The listing test has an account of its own, so it sees exactly the sessions it made.
    await signUp(server, 'lister@example.com');
    await signUp(server, 'revoker@example.com');
    await signUp(server, 'other@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  // One after the other, so the Windows session is the oldest and the Linux one the newest.
  async function logInOnThreeDevices(email: string): Promise<Devices> {
    const windows = await logInSession(server, email, { userAgent: WINDOWS_CHROME });
    const iphone = await logInSession(server, email, { userAgent: IPHONE_SAFARI });
    const linux = await logInSession(server, email, { userAgent: LINUX_FIREFOX });
    return { windows, iphone, linux };
  }

  function listSessions(token: string): Promise<request.Response> {
    return request(server).get('/sessions').set('Cookie', `sid=${token}`);
  }

  function meWith(token: string): Promise<request.Response> {
    return request(server).get('/me').set('Cookie', `sid=${token}`);
  }

  it('lists every device of the user, newest first, marking only the one that asks as current', async () => {
    const before = Date.now();
    const { windows, iphone, linux } = await logInOnThreeDevices('lister@example.com');

    const response = await listSessions(iphone.token);

    expect(response.status).toBe(200);
    const body = response.body as DeviceBody[];
    expect(body.map((device) => device.id)).toEqual([
      linux.sessionId,
      iphone.sessionId,
      windows.sessionId,
    ]);
    expect(body.map((device) => device.current)).toEqual([false, true, false]);
    const item = (userAgent: string, current: boolean): unknown => ({
      id: expect.any(String),
      current,
      createdAt: expect.stringMatching(ISO_TIME),
      lastSeenAt: expect.stringMatching(ISO_TIME),
      expiresAt: expect.stringMatching(ISO_TIME),
      elevatedUntil: null,
      ip: expect.stringMatching(LOOPBACK),
      userAgent,
      device: { browser: expect.any(String), os: expect.any(String), type: expect.any(String) },
    });
    expect(body).toEqual([
      item(LINUX_FIREFOX, false),
      item(IPHONE_SAFARI, true),
      item(WINDOWS_CHROME, false),
    ]);
    const createdAt = body.map((device) => Date.parse(device.createdAt));
    expect(createdAt[0]).toBeGreaterThan(createdAt[1] ?? Infinity);
    expect(createdAt[1]).toBeGreaterThan(createdAt[2] ?? Infinity);
    expect(createdAt[2]).toBeGreaterThanOrEqual(before - 1000);
    expect(createdAt[0]).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('describes each device by browser, OS and type, parsed from its User-Agent', async () => {
    const { iphone } = await logInOnThreeDevices('other@example.com');

    const response = await listSessions(iphone.token);

    expect(response.status).toBe(200);
    const byAgent = new Map(
      (response.body as DeviceBody[]).map((device) => [device.userAgent, device.device]),
    );
    expect(byAgent.get(WINDOWS_CHROME)).toEqual({
      browser: expect.stringContaining('Chrome'),
      os: expect.stringContaining('Windows'),
      type: 'desktop',
    });
    expect(byAgent.get(IPHONE_SAFARI)).toEqual({
      browser: expect.stringContaining('Safari'),
      os: expect.stringContaining('iOS'),
      type: 'mobile',
    });
    expect(byAgent.get(LINUX_FIREFOX)).toEqual({
      browser: expect.stringContaining('Firefox'),
      os: expect.stringContaining('Linux'),
      type: 'desktop',
    });
  });

  it('shows public session ids, never a token', async () => {
    const devices = await logInOnThreeDevices('other@example.com');
    const tokens = [devices.windows.token, devices.iphone.token, devices.linux.token];

    const response = await listSessions(devices.windows.token);

    expect(response.status).toBe(200);
    const ids = (response.body as DeviceBody[]).map((device) => device.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect(tokens).not.toContain(id);
    for (const token of tokens) expect(response.text).not.toContain(token);
  });

  it("DELETE /sessions/:id signs that device out at once and leaves the user's others", async () => {
    const { windows, iphone, linux } = await logInOnThreeDevices('revoker@example.com');

    const response = await request(server)
      .delete(`/sessions/${windows.sessionId}`)
      .set('Cookie', `sid=${iphone.token}`);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const [windowsMe, iphoneMe, linuxMe] = await Promise.all([
      meWith(windows.token),
      meWith(iphone.token),
      meWith(linux.token),
    ]);
    expect(windowsMe.status).toBe(401);
    expect(windowsMe.body).toEqual(UNAUTHENTICATED);
    expect([iphoneMe.status, linuxMe.status]).toEqual([200, 200]);
    const listed = await listSessions(iphone.token);
    expect(listed.status).toBe(200);
    expect((listed.body as DeviceBody[]).map((device) => device.id)).not.toContain(
      windows.sessionId,
    );

    const again = await request(server)
      .delete(`/sessions/${windows.sessionId}`)
      .set('Cookie', `sid=${iphone.token}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(SESSION_NOT_FOUND);
  });

  it("answers 404 for another user's session id, and that session keeps working", async () => {
    const theirs = await logInSession(server, 'other@example.com', { userAgent: LINUX_FIREFOX });
    const mine = await logInSession(server, 'revoker@example.com', { userAgent: IPHONE_SAFARI });

    const response = await request(server)
      .delete(`/sessions/${theirs.sessionId}`)
      .set('Cookie', `sid=${mine.token}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(SESSION_NOT_FOUND);
    const theirMe = await meWith(theirs.token);
    expect(theirMe.status).toBe(200);
    expect(theirMe.body).toMatchObject({ email: 'other@example.com' });
  });

  it.each([
    ['a made-up word', 'garbage'],
    ['a well-formed id no session has', 'AAAAAAAAAAAAAAAAAAAAAA'],
    ["the user index's generation field", encodeURIComponent('#g')],
    ['an over-long id', 'x'.repeat(300)],
    ['an id with a key separator', 'a:b'],
    ['an encoded path', '..%2F..%2Fme'],
    ['percent-encoded control characters', '%00%0A'],
  ])('answers 404, never 500, for %s', async (_case, id) => {
    const { token } = await logInSession(server, 'revoker@example.com');

    const response = await request(server).delete(`/sessions/${id}`).set('Cookie', `sid=${token}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(SESSION_NOT_FOUND);
    expect((await meWith(token)).status).toBe(200);
  });

  it('answers 404 for a session token used as an id, and the token stays valid', async () => {
    const { token } = await logInSession(server, 'revoker@example.com');
    const other = await logInSession(server, 'revoker@example.com');

    const response = await request(server)
      .delete(`/sessions/${other.token}`)
      .set('Cookie', `sid=${token}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual(SESSION_NOT_FOUND);
    expect((await meWith(other.token)).status).toBe(200);
  });

  it("DELETE /sessions/:id of the caller's own session logs it out and clears its cookie", async () => {
    const { token, sessionId } = await logInSession(server, 'revoker@example.com');

    const response = await request(server)
      .delete(`/sessions/${sessionId}`)
      .set('Cookie', `sid=${token}`);

    expect(response.status).toBe(204);
    expect(findSessionCookie(response, 'sid')).toMatchObject({
      value: '',
      attributes: { 'max-age': '0' },
    });
    const me = await meWith(token);
    expect(me.status).toBe(401);
    expect(me.body).toEqual(UNAUTHENTICATED);
  });

  it('DELETE /sessions signs out every other device and keeps the current one', async () => {
    const { windows, iphone, linux } = await logInOnThreeDevices('revoker@example.com');
    const theirs = await logInSession(server, 'other@example.com');

    const response = await request(server).delete('/sessions').set('Cookie', `sid=${linux.token}`);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const listed = await listSessions(linux.token);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: linux.sessionId, current: true, userAgent: LINUX_FIREFOX }),
    ]);
    for (const { token } of [windows, iphone]) {
      const me = await meWith(token);
      expect(me.status).toBe(401);
      expect(me.body).toEqual(UNAUTHENTICATED);
    }
    // Another user's sessions are not the caller's to end.
    expect((await meWith(theirs.token)).status).toBe(200);
  });

  it.each([
    ['GET', '/sessions'],
    ['DELETE', '/sessions'],
    ['DELETE', '/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
  ])('%s %s answers 401 without a session', async (method, path) => {
    const response = await (method === 'GET'
      ? request(server).get(path)
      : request(server).delete(path));

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });
});
