import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { PasswordHasher } from '../../src/auth/password-hasher.js';
import { logIn, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { findSessionCookie } from '../support/cookies.js';
import { createTestApp, type TestAppSettings } from '../support/create-test-app.js';
import { pollUntil } from '../support/poll-until.js';
import { startClusterTopology, type ClusterTopology } from '../support/redis-topologies.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 2.2.1: anti-automation against credential stuffing, brute force and lockout
// attacks; no more than 100 failed attempts per hour on one account. RELIABILITY S8.

const THROTTLED = {
  statusCode: 429,
  error: 'Too Many Requests',
  message: 'Too many login attempts; try again later',
};
const INVALID_CREDENTIALS = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Invalid email or password',
};
const WRONG = 'not the password';

// Each test sends from addresses of its own (the app trusts X-Forwarded-For from loopback), so
// the per-address budget of one test never throttles another.
let lastAddress = 0;
function freshAddress(): string {
  lastAddress += 1;
  return `198.51.100.${lastAddress}`;
}

function attempt(
  server: Server,
  email: string,
  password: string,
  address: string,
): Promise<request.Response> {
  return request(server)
    .post('/auth/login')
    .set('X-Forwarded-For', address)
    .send({ email, password });
}

async function failTimes(
  server: Server,
  email: string,
  times: number,
  address: string,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await attempt(server, email, `${WRONG} ${i}`, address);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS);
  }
}

function expectThrottled(response: request.Response, maxRetryAfterSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual(THROTTLED);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfterSeconds);
  expect(findSessionCookie(response)).toBeUndefined();
}

function throttledApp(
  label: string,
  loginThrottle: TestAppSettings['loginThrottle'] = {},
): Promise<INestApplication> {
  return createTestApp({
    redisUrl: inject('redisUrl'),
    keyPrefix: uniquePrefix(label),
    trustProxy: 'loopback',
    loginThrottle,
  });
}

describe('ASVS 2.2.1: failed logins per email (defaults: 5 per 15 minutes), shared by every instance', () => {
  const keyPrefix = uniquePrefix('asvs-2.2.1-email');
  let instanceA: INestApplication;
  let instanceB: INestApplication;
  let a: Server;
  let b: Server;

  beforeAll(async () => {
    const settings = { redisUrl: inject('redisUrl'), keyPrefix, trustProxy: 'loopback' };
    instanceA = await createTestApp(settings);
    instanceB = await createTestApp(settings);
    a = instanceA.getHttpServer();
    b = instanceB.getHttpServer();
    for (const name of ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus', 'ivy']) {
      await signUp(a, `${name}@example.com`);
    }
  });

  afterAll(async () => {
    await Promise.all([instanceA.close(), instanceB.close()]);
  });

  it('answers the 6th attempt with 429, Retry-After and the documented body, even with the right password', async () => {
    const address = freshAddress();
    await failTimes(a, 'ann@example.com', 5, address);

    const sixth = await attempt(a, 'ann@example.com', `${WRONG} again`, address);
    const rightPassword = await attempt(a, 'ann@example.com', TEST_PASSWORD, freshAddress());

    expectThrottled(sixth, 900);
    expectThrottled(rightPassword, 900);
  });

  it('counts the failures made through another instance of the app', async () => {
    await failTimes(a, 'bob@example.com', 3, freshAddress());
    await failTimes(b, 'bob@example.com', 2, freshAddress());

    expectThrottled(await attempt(a, 'bob@example.com', TEST_PASSWORD, freshAddress()), 900);
    expectThrottled(await attempt(b, 'bob@example.com', TEST_PASSWORD, freshAddress()), 900);
  });

  it('throttles an unknown email exactly like a known one: same status, body and headers', async () => {
    await failTimes(a, 'cat@example.com', 5, freshAddress());
    await failTimes(a, 'nobody@example.com', 5, freshAddress());

    const known = await attempt(a, 'cat@example.com', WRONG, freshAddress());
    const unknown = await attempt(a, 'nobody@example.com', WRONG, freshAddress());

    expectThrottled(known, 900);
    expectThrottled(unknown, 900);
    expect(unknown.text).toBe(known.text);
    const headerNames = (response: request.Response) => Object.keys(response.headers).sort();
    expect(headerNames(unknown)).toEqual(headerNames(known));
  });

  it("resets the email's counter on a successful login", async () => {
    const address = freshAddress();
    await failTimes(a, 'dan@example.com', 4, address);
    expect((await attempt(b, 'dan@example.com', TEST_PASSWORD, address)).status).toBe(200);

    // Five more failures are allowed again; the sixth since the success is refused.
    await failTimes(a, 'dan@example.com', 5, address);
    expectThrottled(await attempt(a, 'dan@example.com', TEST_PASSWORD, address), 900);
  });

  it('counts every spelling of one email (case, spaces) as that one email', async () => {
    const address = freshAddress();
    for (const spelling of [' Eve@Example.com', 'EVE@example.COM ', 'eve@EXAMPLE.com']) {
      await failTimes(a, spelling, 1, address);
    }
    await failTimes(a, '  eve@example.com', 2, address);

    expectThrottled(await attempt(a, 'eve@example.com', TEST_PASSWORD, address), 900);
  });

  it('spends no password check on a throttled attempt', async () => {
    const address = freshAddress();
    await failTimes(a, 'fay@example.com', 5, address);
    const verify = vi.spyOn(instanceA.get(PasswordHasher), 'verify');
    const verifyNothing = vi.spyOn(instanceA.get(PasswordHasher), 'verifyNothing');

    const throttled = await attempt(a, 'fay@example.com', TEST_PASSWORD, address);

    expectThrottled(throttled, 900);
    expect(verify).not.toHaveBeenCalled();
    expect(verifyNothing).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('lets exactly 5 of 20 concurrent guesses through to the password check', async () => {
    const address = freshAddress();

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        attempt(i % 2 === 0 ? a : b, 'ivy@example.com', `${WRONG} ${i}`, address),
      ),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
  });

  it('leaves other emails alone while one is throttled', async () => {
    const address = freshAddress();
    await failTimes(a, 'gus@example.com', 5, address);

    expectThrottled(await attempt(a, 'gus@example.com', TEST_PASSWORD, address), 900);
    const other = await signUp(a, 'hal@example.com');
    const login = await attempt(a, 'hal@example.com', TEST_PASSWORD, address);
    expect(login.status).toBe(200);
    expect((login.body as { user: { id: string } }).user.id).toBe(other.id);
  });
});

describe('ASVS 2.2.1: failed logins per client address', () => {
  const MAX_PER_ADDRESS = 6;
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await throttledApp('asvs-2.2.1-address', {
      maxFailuresPerIp: MAX_PER_ADDRESS,
      maxFailuresPerEmail: 100,
    });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses an address that failed on many emails, whatever email it tries next', async () => {
    const stuffer = freshAddress();
    for (let i = 0; i < MAX_PER_ADDRESS; i++) {
      expect((await attempt(server, `victim${i}@example.com`, WRONG, stuffer)).status).toBe(401);
    }

    expectThrottled(await attempt(server, 'someone-else@example.com', WRONG, stuffer), 900);
    expectThrottled(await attempt(server, 'ann@example.com', TEST_PASSWORD, stuffer), 900);
    // Another address is not affected, and the emails it tried are not locked by it.
    expect((await attempt(server, 'ann@example.com', TEST_PASSWORD, freshAddress())).status).toBe(
      200,
    );
    expect((await attempt(server, 'victim0@example.com', WRONG, freshAddress())).status).toBe(401);
  });

  it('counts only failures: successful logins do not use up an address', async () => {
    const office = freshAddress();
    for (let i = 0; i < MAX_PER_ADDRESS * 2; i++) {
      expect((await attempt(server, 'ann@example.com', TEST_PASSWORD, office)).status).toBe(200);
    }
    expect((await attempt(server, 'ann@example.com', WRONG, office)).status).toBe(401);
  });
});

describe('ASVS 2.2.1: never more than 100 failed attempts per hour on one account', () => {
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await throttledApp('asvs-2.2.1-hourly', {
      maxFailuresPerEmail: 1000,
      maxFailuresPerIp: 100_000,
    });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
    await signUp(server, 'bob@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('caps an account at 50 failures per hour window (so at most 100 in any 60 minutes)', async () => {
    const address = freshAddress();
    for (let batch = 0; batch < 5; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          attempt(server, 'ann@example.com', `${WRONG} ${batch}-${i}`, address),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(401));
    }

    const throttled = await attempt(server, 'ann@example.com', TEST_PASSWORD, address);

    expectThrottled(throttled, 3600);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(3000);
  });

  it('holds the cap even when successful logins keep resetting the per-window counter', async () => {
    const strictApp = await throttledApp('asvs-2.2.1-hourly-resets', {
      maxFailuresPerEmail: 5,
      maxFailuresPerIp: 100_000,
    });
    try {
      const strict = strictApp.getHttpServer();
      await signUp(strict, 'bob@example.com');
      const address = freshAddress();
      let failures = 0;
      while (failures < 48) {
        await failTimes(strict, 'bob@example.com', 4, address);
        failures += 4;
        expect((await attempt(strict, 'bob@example.com', TEST_PASSWORD, address)).status).toBe(200);
      }
      await failTimes(strict, 'bob@example.com', 2, address);

      expectThrottled(await attempt(strict, 'bob@example.com', TEST_PASSWORD, address), 3600);
    } finally {
      await strictApp.close();
    }
  });
});

describe('ASVS 2.2.1: the window ends', () => {
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await throttledApp('asvs-2.2.1-window', { failureWindowSeconds: 2 });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('lets the email log in again once Retry-After has passed', async () => {
    const address = freshAddress();
    await failTimes(server, 'ann@example.com', 5, address);
    const throttled = await attempt(server, 'ann@example.com', TEST_PASSWORD, address);
    expectThrottled(throttled, 2);
    const throttledAt = performance.now();

    await pollUntil(
      async () => (await attempt(server, 'ann@example.com', TEST_PASSWORD, address)).status === 200,
      { deadlineMs: 4000, intervalMs: 100 },
    );

    const waitedMs = performance.now() - throttledAt;
    expect(waitedMs).toBeLessThanOrEqual(Number(throttled.headers['retry-after']) * 1000 + 1500);
  });
});

describe('ASVS 2.2.1: step-up and password change spend the same per-account budget', () => {
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await throttledApp('asvs-2.2.1-reauth');
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
    await signUp(server, 'bob@example.com');
  });

  afterAll(async () => {
    await app.close();
  });

  it('a stolen cookie cannot brute-force the password through POST /auth/elevate', async () => {
    const token = await logIn(server, 'ann@example.com');
    const elevate = (password: string) =>
      request(server).post('/auth/elevate').set('Cookie', `sid=${token}`).send({ password });
    for (let i = 0; i < 5; i++) {
      const response = await elevate(`${WRONG} ${i}`);
      expect(response.status).toBe(401);
      expect(response.body).toEqual(INVALID_CREDENTIALS);
    }

    expectThrottled(await elevate(TEST_PASSWORD), 900);
    const password = await request(server)
      .post('/auth/password')
      .set('Cookie', `sid=${token}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new password' });
    expectThrottled(password, 900);
    // One budget per account: the login form is throttled too.
    expectThrottled(await attempt(server, 'ann@example.com', TEST_PASSWORD, freshAddress()), 900);
  });

  it('failed logins also throttle the password change of a signed-in session', async () => {
    const token = await logIn(server, 'bob@example.com');
    await failTimes(server, 'bob@example.com', 5, freshAddress());

    const password = await request(server)
      .post('/auth/password')
      .set('Cookie', `sid=${token}`)
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'a brand new password' });

    expectThrottled(password, 900);
    expect((await request(server).get('/me').set('Cookie', `sid=${token}`)).status).toBe(200);
  });
});

describe('ASVS 2.2.1: the throttle when Redis is down', () => {
  let redisServer: RedisServerHandle;
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    app = await createTestApp({
      redisUrl: redisServer.url,
      keyPrefix: uniquePrefix('asvs-2.2.1-outage'),
    });
    server = app.getHttpServer();
    await signUp(server, 'ann@example.com');
  });

  afterAll(async () => {
    await app.close();
    await redisServer.stop();
  });

  it('answers 503 with Retry-After, never 500, and counts again once Redis is back', async () => {
    redisServer.kill('SIGKILL');
    await redisServer.waitForExit();

    const down = await request(server)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: WRONG });

    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(Number(down.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    await redisServer.restart();
    await pollUntil(
      async () =>
        (
          await request(server)
            .post('/auth/login')
            .send({ email: 'ann@example.com', password: WRONG })
        ).status === 401,
      { deadlineMs: 3000 },
    );
  });
});

describe('ASVS 2.2.1: throttling on Redis Cluster (two instances)', () => {
  let topology: ClusterTopology;
  let instanceA: INestApplication;
  let instanceB: INestApplication;
  let a: Server;
  let b: Server;

  // Through createTestApp, so it runs on the project's platform (Fastify on e2e-fastify).
  function clusterApp(keyPrefix: string): Promise<INestApplication> {
    const nodes = topology.nodes.map(({ host, port }) => ({ host, port }));
    return createTestApp({ redis: { kind: 'cluster', nodes }, keyPrefix });
  }

  beforeAll(async () => {
    topology = await startClusterTopology();
    const keyPrefix = uniquePrefix('asvs-2.2.1-cluster');
    instanceA = await clusterApp(keyPrefix);
    instanceB = await clusterApp(keyPrefix);
    a = instanceA.getHttpServer();
    b = instanceB.getHttpServer();
    await pollUntil(async () => (await request(a).get('/health')).status === 200, {
      deadlineMs: 5000,
    });
    await signUp(a, 'ann@example.com');
    await signUp(a, 'bob@example.com');
  });

  afterAll(async () => {
    await Promise.all([instanceA?.close(), instanceB?.close()]);
    await topology?.stop();
  });

  it('shares the per-email count across instances and answers 429 after 5 failures', async () => {
    for (const server of [a, b, a, b, a]) {
      expect((await attempt(server, 'ann@example.com', WRONG, '127.0.0.1')).status).toBe(401);
    }

    expectThrottled(await attempt(b, 'ann@example.com', TEST_PASSWORD, '127.0.0.1'), 900);
  });

  it('resets on success there too', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await attempt(a, 'bob@example.com', WRONG, '127.0.0.1')).status).toBe(401);
    }
    expect((await attempt(b, 'bob@example.com', TEST_PASSWORD, '127.0.0.1')).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect((await attempt(b, 'bob@example.com', WRONG, '127.0.0.1')).status).toBe(401);
    }
    expectThrottled(await attempt(a, 'bob@example.com', WRONG, '127.0.0.1'), 900);
  });
});
