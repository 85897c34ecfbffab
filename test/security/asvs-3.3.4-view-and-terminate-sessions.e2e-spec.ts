import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, type LoggedInSession } from '../support/auth-requests.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.3.4: users can view their active sessions and devices and log out of any or all
// of them. The sample app does not ask for the password again for this: it only ever reduces
// access, and a stolen cookie that could use it is better spent signing the thief out
// (SECURITY.md).

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

interface Device {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string;
  userAgent: string;
  device: { browser: string; os: string; type: string };
}

describe('ASVS 3.3.4: view and terminate sessions', () => {
  const keyPrefix = uniquePrefix('asvs-3.3.4');
  let app: INestApplication;
  let server: Server;

  const me = (token: string) => request(server).get('/me').set('Cookie', `sid=${token}`);
  const devicesOf = async (token: string): Promise<Device[]> => {
    const response = await request(server).get('/sessions').set('Cookie', `sid=${token}`);
    expect(response.status).toBe(200);
    return response.body as Device[];
  };

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
    await signUp(server, 'bob@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('lists every active session with enough to recognise the device, and no token', async () => {
    const laptop = await logInSession(server, 'ann@example.com', { userAgent: FIREFOX_LINUX });
    const phone = await logInSession(server, 'ann@example.com', { userAgent: SAFARI_IPHONE });

    const devices = await devicesOf(laptop.token);

    expect(devices.map((device) => device.id)).toEqual([phone.sessionId, laptop.sessionId]);
    expect(devices.map((device) => device.current)).toEqual([false, true]);
    expect(devices[0]).toMatchObject({
      userAgent: SAFARI_IPHONE,
      device: {
        browser: expect.stringMatching(/^Safari/),
        os: expect.stringMatching(/^iOS/),
        type: 'mobile',
      },
      ip: expect.stringMatching(/127\.0\.0\.1|::1/),
    });
    expect(devices[1]).toMatchObject({
      device: { browser: expect.stringMatching(/^Firefox/), os: expect.stringMatching(/^Linux/) },
    });
    for (const device of devices) {
      expect(Date.parse(device.createdAt)).not.toBeNaN();
      expect(Date.parse(device.lastSeenAt)).not.toBeNaN();
    }
    const text = JSON.stringify(devices);
    expect(text).not.toContain(laptop.token);
    expect(text).not.toContain(phone.token);
  });

  it('logs out any one session (DELETE /sessions/:id) at once, leaving the others', async () => {
    const sessions: LoggedInSession[] = [];
    for (let i = 0; i < 3; i++) sessions.push(await logInSession(server, 'bob@example.com'));
    const [keep, revoke, other] = sessions as [LoggedInSession, LoggedInSession, LoggedInSession];

    const response = await request(server)
      .delete(`/sessions/${revoke.sessionId}`)
      .set('Cookie', `sid=${keep.token}`);

    expect(response.status).toBe(204);
    expect((await me(revoke.token)).status).toBe(401);
    expect((await me(keep.token)).status).toBe(200);
    expect((await me(other.token)).status).toBe(200);
    expect((await devicesOf(keep.token)).map((device) => device.id)).not.toContain(
      revoke.sessionId,
    );
  });

  it('logs out all other sessions (DELETE /sessions), keeping the current one', async () => {
    const current = await logInSession(server, 'ann@example.com');
    const others = [
      await logInSession(server, 'ann@example.com'),
      await logInSession(server, 'ann@example.com'),
    ];

    const response = await request(server)
      .delete('/sessions')
      .set('Cookie', `sid=${current.token}`);

    expect(response.status).toBe(204);
    for (const other of others) expect((await me(other.token)).status).toBe(401);
    expect((await me(current.token)).status).toBe(200);
    expect((await devicesOf(current.token)).map((device) => device.id)).toEqual([
      current.sessionId,
    ]);
  });

  it("cannot see or end another user's sessions: 404, and that session lives on", async () => {
    const anns = await logInSession(server, 'ann@example.com');
    const bobs = await logInSession(server, 'bob@example.com');

    const response = await request(server)
      .delete(`/sessions/${bobs.sessionId}`)
      .set('Cookie', `sid=${anns.token}`);

    expect(response.status).toBe(404);
    expect((await me(bobs.token)).status).toBe(200);
    expect((await devicesOf(anns.token)).map((device) => device.id)).not.toContain(bobs.sessionId);
  });
});
