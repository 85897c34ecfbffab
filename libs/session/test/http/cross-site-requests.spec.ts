import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startRedisServer, type RedisServerHandle } from '../../../../test/support/redis-server.js';
import { createFixtureApp, registerSync } from './fixture-app.js';

describe('cross-site request defence (Fetch Metadata and Origin)', () => {
  let server: RedisServerHandle;
  let app: INestApplication;
  let cookie: string;
  let ownOrigin: string;

  beforeAll(async () => {
    server = await startRedisServer();
    app = await createFixtureApp(registerSync, {
      redis: { url: server.url },
      cookie: { secure: false },
      csrf: { trustedOrigins: ['https://partner.example.test'] },
    });
    await app.listen(0, '127.0.0.1');
    ownOrigin = (await app.getUrl())
      .replace('[::1]', '127.0.0.1')
      .replace('localhost', '127.0.0.1');
    const login = await request(ownOrigin).post('/login').send({ userId: 'csrf-user' }).expect(200);
    cookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });

  const put = (headers: Record<string, string>) =>
    request(ownOrigin).put('/data').set('Cookie', cookie).set(headers).send({ touched: true });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    [
      'Sec-Fetch-Site: same-site from an untrusted origin',
      { 'Sec-Fetch-Site': 'same-site', Origin: 'https://sub.example.test' },
    ],
    ['a foreign Origin', { Origin: 'https://evil.example.test' }],
    ['Origin: null', { Origin: 'null' }],
    [
      'cross-site even with the own Origin',
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example.test' },
    ],
  ])(
    'refuses an unsafe request with the session cookie and %s: 403, nothing written',
    async (_, headers) => {
      const res = await put(headers).expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Cross-site request refused',
      });
      const me = await request(ownOrigin).get('/me').set('Cookie', cookie).expect(200);
      expect(me.body.data).not.toHaveProperty('touched');
    },
  );

  it.each([
    ['neither header (curl, server-to-server)', {}],
    ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['Sec-Fetch-Site: none (typed by the user)', { 'Sec-Fetch-Site': 'none' }],
    [
      'a trusted origin, same-site',
      { 'Sec-Fetch-Site': 'same-site', Origin: 'https://partner.example.test' },
    ],
    [
      'Sec-Fetch-Site: same-origin with Origin: null (Firefox under Referrer-Policy: no-referrer)',
      { 'Sec-Fetch-Site': 'same-origin', Origin: 'null' },
    ],
  ])('lets through %s', async (_, headers) => {
    await put(headers).expect(200);
  });

  it("lets through the app's own Origin", async () => {
    await put({ Origin: ownOrigin }).expect(200);
  });

  it('leaves safe methods and requests without the session cookie alone', async () => {
    await request(ownOrigin)
      .get('/me')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(200);
    await request(ownOrigin)
      .post('/public/cart')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ item: 'x' })
      .expect(200);
  });

  it('refuses a cross-site login without any cookie on a @RefuseCrossSite() route (login CSRF)', async () => {
    const login = (headers: Record<string, string>) =>
      request(ownOrigin).post('/login').set(headers).send({ userId: 'attacker' });
    const refused: Array<Record<string, string>> = [
      { 'Sec-Fetch-Site': 'cross-site' },
      { Origin: 'https://evil.example.test' },
      { 'Sec-Fetch-Site': 'same-site', Origin: 'https://sub.example.test' },
    ];
    for (const headers of refused) {
      const res = await login(headers).expect(403);
      expect(res.body.message).toBe('Cross-site request refused');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await login({ 'Sec-Fetch-Site': 'same-origin' }).expect(200);
    await login({ Origin: ownOrigin }).expect(200);
    await login({ 'Sec-Fetch-Site': 'same-site', Origin: 'https://partner.example.test' }).expect(
      200,
    );
    await login({}).expect(200);
  });

  it('can be turned off', async () => {
    const other = await createFixtureApp(registerSync, {
      redis: { url: server.url },
      cookie: { secure: false },
      csrf: { enabled: false },
    });
    try {
      const login = await request(other.getHttpServer())
        .post('/login')
        .send({ userId: 'csrf-off' })
        .expect(200);
      const token = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
      await request(other.getHttpServer())
        .put('/data')
        .set('Cookie', token)
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ a: 1 })
        .expect(200);
      await request(other.getHttpServer())
        .post('/login')
        .set('Sec-Fetch-Site', 'cross-site')
        .send({ userId: 'csrf-off' })
        .expect(200);
    } finally {
      await other.close();
    }
  });
});
