import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp } from './support/auth-requests.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { UNAUTHENTICATED } from './support/expected-responses.js';

describe('two app instances on one Redis (as behind a load balancer)', () => {
  const keyPrefix = uniquePrefix('two-instances');
  let instanceA: INestApplication;
  let instanceB: INestApplication;
  let a: Server;
  let b: Server;
  let annId: string;

  beforeAll(async () => {
    const settings = { redisUrl: inject('redisUrl'), keyPrefix };
    instanceA = await createTestApp(settings);
    instanceB = await createTestApp(settings);
    a = instanceA.getHttpServer();
    b = instanceB.getHttpServer();
    annId = (await signUp(a, 'ann@example.com')).id;
  });

  afterAll(async () => {
    await Promise.all([instanceA.close(), instanceB.close()]);
  });

  function meOn(server: Server, token: string): Promise<request.Response> {
    return request(server).get('/me').set('Cookie', `sid=${token}`);
  }

  it('a session started on A authenticates on B, which lists it as the current device', async () => {
    const { token, sessionId } = await logInSession(a, 'ann@example.com');

    const me = await meOn(b, token);
    const listed = await request(b).get('/sessions').set('Cookie', `sid=${token}`);

    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: annId, email: 'ann@example.com', roles: ['user'] });
    expect(listed.status).toBe(200);
    expect(listed.body).toContainEqual(expect.objectContaining({ id: sessionId, current: true }));
  });

  it("a device revoked on A gets 401 on B's very next request", async () => {
    const laptop = await logInSession(a, 'ann@example.com');
    const phone = await logInSession(b, 'ann@example.com');
    expect((await meOn(b, phone.token)).status).toBe(200);

    const revoked = await request(a)
      .delete(`/sessions/${phone.sessionId}`)
      .set('Cookie', `sid=${laptop.token}`);

    expect(revoked.status).toBe(204);
    const me = await meOn(b, phone.token);
    expect(me.status).toBe(401);
    expect(me.body).toEqual(UNAUTHENTICATED);
  });

  it('signing out every other device on A ends them on B at once', async () => {
    const laptop = await logInSession(a, 'ann@example.com');
    const phone = await logInSession(b, 'ann@example.com');
    expect((await meOn(b, phone.token)).status).toBe(200);

    const revoked = await request(a).delete('/sessions').set('Cookie', `sid=${laptop.token}`);

    expect(revoked.status).toBe(204);
    const [phoneOnB, laptopOnB] = await Promise.all([meOn(b, phone.token), meOn(b, laptop.token)]);
    expect(phoneOnB.status).toBe(401);
    expect(phoneOnB.body).toEqual(UNAUTHENTICATED);
    expect(laptopOnB.status).toBe(200);
  });

  it('a logout on B kills the token on A', async () => {
    const { token } = await logInSession(a, 'ann@example.com');
    expect((await meOn(a, token)).status).toBe(200);

    const logout = await request(b).post('/auth/logout').set('Cookie', `sid=${token}`);

    expect(logout.status).toBe(204);
    const me = await meOn(a, token);
    expect(me.status).toBe(401);
    expect(me.body).toEqual(UNAUTHENTICATED);
  });
});
