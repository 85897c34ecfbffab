import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { createTestApp } from './support/create-test-app.js';
import { connectTestRedis, type TestRedisClient } from './support/test-redis-client.js';
import { uniquePrefix } from './support/unique-prefix.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('POST /auth/signup', () => {
  const keyPrefix = uniquePrefix('signup');
  const adminEmail = 'boss@example.com';
  let app: INestApplication;
  let server: Server;
  let redis: TestRedisClient;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix, adminEmail });
    server = app.getHttpServer();
    redis = connectTestRedis();
  });

  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  it('creates a user with the role "user" and answers 201 {id, email, roles} with the email normalised', async () => {
    const response = await request(server)
      .post('/auth/signup')
      .send({ email: '  Ann@Example.COM ', password: TEST_PASSWORD });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      email: 'ann@example.com',
      roles: ['user'],
    });
  });

  it('stores an argon2id hash, never the password, and indexes the normalised email', async () => {
    const { id } = await signUp(server, 'Bea@Example.com');

    const stored = await redis.hgetall(`${keyPrefix}app:user:${id}`);
    expect(stored).toEqual({
      id,
      email: 'bea@example.com',
      passwordHash: expect.stringMatching(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/),
      roles: '["user"]',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(JSON.stringify(stored)).not.toContain(TEST_PASSWORD);
    expect(await redis.get(`${keyPrefix}app:user-email:bea@example.com`)).toBe(id);
  });

  it('ignores roles and other unknown fields in the body', async () => {
    const response = await request(server)
      .post('/auth/signup')
      .send({
        email: 'cleo@example.com',
        password: TEST_PASSWORD,
        roles: ['admin'],
        isAdmin: true,
      });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      email: 'cleo@example.com',
      roles: ['user'],
    });
    const stored = await redis.hgetall(
      `${keyPrefix}app:user:${(response.body as { id: string }).id}`,
    );
    expect(Object.keys(stored).sort()).toEqual([
      'createdAt',
      'email',
      'id',
      'passwordHash',
      'roles',
    ]);
    expect(stored.roles).toBe('["user"]');
  });

  it('gives "admin" to the account created with ADMIN_EMAIL, matched after normalisation', async () => {
    const response = await request(server)
      .post('/auth/signup')
      .send({ email: ' BOSS@example.com', password: TEST_PASSWORD });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      email: adminEmail,
      roles: ['user', 'admin'],
    });
  });

  it.each([
    ['the same address', 'ann@example.com'],
    ['the same address in another case with spaces', ' ANN@example.com  '],
  ])('answers 409 for %s', async (_case, email) => {
    const response = await request(server)
      .post('/auth/signup')
      .send({ email, password: 'another password' });

    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'Email already registered',
    });
  });

  it('keeps the first account when the email is taken again', async () => {
    const before = await redis.get(`${keyPrefix}app:user-email:ann@example.com`);
    await request(server)
      .post('/auth/signup')
      .send({ email: 'ann@example.com', password: 'another password' });

    expect(await redis.get(`${keyPrefix}app:user-email:ann@example.com`)).toBe(before);
  });

  it.each([
    [
      'a password under 8 characters',
      { email: 'dan@example.com', password: 'short12' },
      ['password must be from 8 to 256 characters long'],
    ],
    [
      'a password over 256 characters',
      { email: 'dan@example.com', password: 'x'.repeat(257) },
      ['password must be from 8 to 256 characters long'],
    ],
    [
      'a password that is not a string',
      { email: 'dan@example.com', password: 12345678 },
      ['password must be from 8 to 256 characters long', 'password must be a string'],
    ],
    [
      'a bad email',
      { email: 'dan.example.com', password: TEST_PASSWORD },
      ['email must be an email address'],
    ],
    [
      'an email that is not a string',
      { email: ['dan@example.com'], password: TEST_PASSWORD },
      ['email must be an email address'],
    ],
    [
      'no fields at all',
      {},
      [
        'email must be an email address',
        'password must be from 8 to 256 characters long',
        'password must be a string',
      ],
    ],
  ])('answers 400 for %s', async (_case, body, messages) => {
    const response = await request(server).post('/auth/signup').send(body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: messages });
    expect(await redis.exists(`${keyPrefix}app:user-email:dan@example.com`)).toBe(0);
  });

  it('accepts passwords of exactly 8 and 256 characters', async () => {
    const shortest = await request(server)
      .post('/auth/signup')
      .send({ email: 'eve@example.com', password: '12345678' });
    const longest = await request(server)
      .post('/auth/signup')
      .send({ email: 'fay@example.com', password: 'y'.repeat(256) });

    expect([shortest.status, longest.status]).toEqual([201, 201]);
  });

  it('answers 400 for malformed JSON without quoting the parser', async () => {
    const response = await request(server)
      .post('/auth/signup')
      .set('Content-Type', 'application/json')
      .send('{"email": "gus@example.com", "password": ');

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Malformed JSON body',
    });
  });

  it('answers 413 for a JSON body over 128 KiB without creating the user', async () => {
    const response = await request(server)
      .post('/auth/signup')
      .send({ email: 'hal@example.com', password: TEST_PASSWORD, padding: 'p'.repeat(129 * 1024) });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body exceeds 128kb',
    });
    expect(await redis.exists(`${keyPrefix}app:user-email:hal@example.com`)).toBe(0);
  });

  it('does not parse non-JSON bodies', async () => {
    const response = await request(server)
      .post('/auth/signup')
      .type('form')
      .send({ email: 'ivy@example.com', password: TEST_PASSWORD });

    expect(response.status).toBe(400);
    expect(await redis.exists(`${keyPrefix}app:user-email:ivy@example.com`)).toBe(0);
  });

  it('sends no X-Powered-By header', async () => {
    const response = await request(server).post('/auth/signup').send({});

    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});
