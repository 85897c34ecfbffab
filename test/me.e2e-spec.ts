import type { Server } from 'node:http';
import { type INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import { inject, vi } from 'vitest';
import { logIn, signUp, type SignedUpUser } from './support/auth-requests.js';
import { createTestApp } from './support/create-test-app.js';
import { connectTestRedis, type TestRedisClient } from './support/test-redis-client.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { UNAUTHENTICATED } from './support/expected-responses.js';

describe('GET /me', () => {
  const keyPrefix = uniquePrefix('me');
  let app: INestApplication;
  let server: Server;
  let redis: TestRedisClient;
  let ann: SignedUpUser;

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      adminEmail: 'root@example.com',
    });
    server = app.getHttpServer();
    redis = connectTestRedis();
    ann = await signUp(server, 'ann@example.com');
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  it('answers 200 {id, email, roles} of the session user, and nothing else', async () => {
    const token = await logIn(server, 'ann@example.com');

    const response = await request(server).get('/me').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: ann.id, email: 'ann@example.com', roles: ['user'] });
  });

  it('shows the admin role of the ADMIN_EMAIL account', async () => {
    const root = await signUp(server, 'root@example.com');
    const token = await logIn(server, 'root@example.com');

    const response = await request(server).get('/me').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: root.id,
      email: 'root@example.com',
      roles: ['user', 'admin'],
    });
  });

  it('answers 401 without a cookie', async () => {
    const response = await request(server).get('/me');

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it('answers 401 for a well-formed token that no session has', async () => {
    const response = await request(server)
      .get('/me')
      .set('Cookie', `sid=${'A'.repeat(43)}`);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it('answers 401 once the user no longer exists', async () => {
    const gone = await signUp(server, 'gone@example.com');
    const token = await logIn(server, 'gone@example.com');
    await redis.del(`${keyPrefix}app:user:${gone.id}`);

    const response = await request(server).get('/me').set('Cookie', `sid=${token}`);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(UNAUTHENTICATED);
  });

  it('answers an unexpected Redis error with a plain 500 that reveals no key or Redis text', async () => {
    const broken = await signUp(server, 'broken@example.com');
    const token = await logIn(server, 'broken@example.com');
    const userKey = `${keyPrefix}app:user:${broken.id}`;
    await redis.del(userKey);
    await redis.set(userKey, 'not a hash');
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

    const response = await request(server).get('/me').set('Cookie', `sid=${token}`);

    // The details go to the server log only.
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ message: expect.stringMatching(/^WRONGTYPE/) }),
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
    expect(response.text).not.toMatch(/WRONGTYPE|app:user|at .*\.ts/);
  });
});
