import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logIn, signUp } from './support/auth-requests.js';
import { createTestApp } from './support/create-test-app.js';
import { uniquePrefix } from './support/unique-prefix.js';

describe('session fixation: a cookie present before login never survives it', () => {
  const keyPrefix = uniquePrefix('session-fixation');
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    await signUp(server, 'victim@example.com');
    await signUp(server, 'mallory@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  async function meWith(token: string): Promise<request.Response> {
    return request(server).get('/me').set('Cookie', `sid=${token}`);
  }

  it("a planted valid token (the attacker's own session) is replaced at login and dies", async () => {
    const planted = await logIn(server, 'mallory@example.com');

    const victims = await logIn(server, 'victim@example.com', { cookie: `sid=${planted}` });

    expect(victims).not.toBe(planted);
    const [withPlanted, withNew] = await Promise.all([meWith(planted), meWith(victims)]);
    expect(withPlanted.status).toBe(401);
    expect(withNew.status).toBe(200);
    expect(withNew.body).toMatchObject({ email: 'victim@example.com' });
  });

  it('a planted made-up token is not adopted: login issues another, and the planted one stays dead', async () => {
    const planted = 'Pl4nted-by-the-attacker_0123456789abcdefghi';
    expect(planted).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const victims = await logIn(server, 'victim@example.com', { cookie: `sid=${planted}` });

    expect(victims).not.toBe(planted);
    expect((await meWith(planted)).status).toBe(401);
    expect((await meWith(victims)).status).toBe(200);
  });

  it("logging in again with one's own cookie replaces the token and kills the old one", async () => {
    const first = await logIn(server, 'victim@example.com');

    const second = await logIn(server, 'victim@example.com', { cookie: `sid=${first}` });

    expect(second).not.toBe(first);
    expect((await meWith(first)).status).toBe(401);
    expect((await meWith(second)).status).toBe(200);
  });

  it('a failed login leaves the planted cookie as it was and issues nothing', async () => {
    const planted = await logIn(server, 'mallory@example.com');

    const response = await request(server)
      .post('/auth/login')
      .set('Cookie', `sid=${planted}`)
      .send({ email: 'victim@example.com', password: 'not the password' });

    expect(response.status).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
    const me = await meWith(planted);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'mallory@example.com' });
  });
});
