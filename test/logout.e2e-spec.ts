import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { UNAUTHENTICATED } from './support/expected-responses.js';

describe('POST /auth/logout', () => {
  const keyPrefix = uniquePrefix('logout');
  let app: INestApplication;
  let otherInstance: INestApplication;
  let server: Server;

  beforeAll(async () => {
    const settings = { redisUrl: inject('redisUrl'), keyPrefix };
    app = await createTestApp(settings);
    // A second instance of the app on the same Redis, as behind a load balancer.
    otherInstance = await createTestApp(settings);
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await Promise.all([app.close(), otherInstance.close()]);
  });

  it('answers 204 with no body and clears the cookie', async () => {
    const token = await logIn(server, 'ann@example.com');

    const response = await request(server).post('/auth/logout').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const cleared = findSessionCookie(response, 'sid');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes['max-age']).toBe('0');
    expect(cleared?.attributes.path).toBe('/');
  });

  it('kills the token: /me and a second logout answer 401 with it', async () => {
    const token = await logIn(server, 'ann@example.com');
    await request(server).post('/auth/logout').set('Cookie', `sid=${token}`).expect(204);

    const me = await request(server).get('/me').set('Cookie', `sid=${token}`);
    const again = await request(server).post('/auth/logout').set('Cookie', `sid=${token}`);

    expect(me.status).toBe(401);
    expect(me.body).toEqual(UNAUTHENTICATED);
    expect(again.status).toBe(401);
    expect(again.body).toEqual(UNAUTHENTICATED);
  });

  it('kills the token on every instance of the app at once', async () => {
    const token = await logIn(server, 'ann@example.com');
    await request(otherInstance.getHttpServer())
      .get('/me')
      .set('Cookie', `sid=${token}`)
      .expect(200);

    await request(server).post('/auth/logout').set('Cookie', `sid=${token}`).expect(204);

    const response = await request(otherInstance.getHttpServer())
      .get('/me')
      .set('Cookie', `sid=${token}`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it("ends only this session: the user's other sessions stay valid", async () => {
    const laptop = await logIn(server, 'ann@example.com');
    const phone = await logIn(server, 'ann@example.com');

    await request(server).post('/auth/logout').set('Cookie', `sid=${laptop}`).expect(204);

    const response = await request(server).get('/me').set('Cookie', `sid=${phone}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ email: 'ann@example.com' });
  });

  it('answers 401 without a session cookie', async () => {
    const response = await request(server).post('/auth/logout');

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });
});
