import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { logInSession, signUp } from '../support/auth-requests.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { getSetCookies, parseSetCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { pollUntil } from '../support/poll-until.js';
import { tokenDigest } from '../support/redis-dump.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// RELIABILITY S9: no token, no digest of one, no password and no password hash in any log line
// at any level, error paths included. A realistic flow runs with the app's log destination
// capturing every line it writes down to `verbose`, Nest's and the request log's (and console
// output captured too); then every secret the flow used or issued is looked for in them.

const ANN_PASSWORD = 'ann first passphrase';
const ANN_NEW_PASSWORD = 'ann second passphrase';
const BOB_PASSWORD = 'bob secret passphrase';
const WRONG_PASSWORDS = ['wrong guess one', 'wrong guess two', 'elevation guess three'];
const CARL_GUESS = 'carl guess';
const UNKNOWN_TOKEN = 'Unkn0wn-but-well-formed_token_0123456789ab';

describe('S9: nothing secret reaches the logs', () => {
  const keyPrefix = uniquePrefix('no-secrets-in-logs');
  const logger = new CapturingLogger();
  const consoleLines: string[] = [];
  const issuedTokens = new Set<string>();
  const passwordHashes = new Set<string>();
  let redisServer: RedisServerHandle;
  let redis: Redis;
  let app: INestApplication;
  let server: Server;

  /** Remembers every token a response issues. */
  function collect(response: request.Response): request.Response {
    for (const header of getSetCookies(response)) {
      const { value } = parseSetCookie(header);
      if (value !== '') issuedTokens.add(value);
    }
    return response;
  }

  const login = async (email: string, password: string) =>
    collect(await request(server).post('/auth/login').send({ email, password }));
  const withCookie = (call: request.Test, token: string) => call.set('Cookie', `sid=${token}`);
  const tokenOf = (response: request.Response): string =>
    parseSetCookie(getSetCookies(response).at(-1) ?? 'x=').value;

  async function rememberHash(userId: string): Promise<void> {
    const hash = await redis.hget(`${keyPrefix}app:user:${userId}`, 'passwordHash');
    if (hash !== null) passwordHashes.add(hash);
  }

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => {
        consoleLines.push(parts.map(String).join(' '));
      });
    }
    redisServer = await startRedisServer({ appendOnly: 'always' });
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    // The outage below is deliberate: this inspection client may not complain about it.
    redis.on('error', () => undefined);
    app = await createTestApp({
      redisUrl: redisServer.url,
      keyPrefix,
      logLevel: 'verbose',
      logger,
      adminEmail: 'ann@example.com',
    });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await app.close();
    redis.disconnect();
    await redisServer.stop();
  });

  it('runs signup, logins, failures, throttling, step-up, password change, logout, bad cookies, a 500 and a Redis outage', async () => {
    const ann = await signUp(server, 'ann@example.com', ANN_PASSWORD);
    const bob = await signUp(server, 'bob@example.com', BOB_PASSWORD);
    await rememberHash(ann.id);
    await rememberHash(bob.id);

    // Logins: good, wrong password, unknown email, throttled.
    const annLogin = await login('ann@example.com', ANN_PASSWORD);
    expect(annLogin.status).toBe(200);
    let annToken = tokenOf(annLogin);
    expect((await login('ann@example.com', WRONG_PASSWORDS[0]!)).status).toBe(401);
    expect((await login('nobody@example.com', WRONG_PASSWORDS[1]!)).status).toBe(401);
    for (let i = 0; i < 6; i++) await login('carl@example.com', `${CARL_GUESS} ${i}`);
    expect((await login('carl@example.com', CARL_GUESS)).status).toBe(429);

    // Using the session, step-up (wrong, then right), an admin action, a password change.
    expect((await withCookie(request(server).get('/me'), annToken)).status).toBe(200);
    expect((await withCookie(request(server).get('/sessions'), annToken)).status).toBe(200);
    const wrongElevation = await withCookie(request(server).post('/auth/elevate'), annToken).send({
      password: WRONG_PASSWORDS[2],
    });
    expect(wrongElevation.status).toBe(401);
    const elevated = collect(
      await withCookie(request(server).post('/auth/elevate'), annToken).send({
        password: ANN_PASSWORD,
      }),
    );
    expect(elevated.status).toBe(200);
    annToken = tokenOf(elevated);
    const bobSession = await logInSession(server, 'bob@example.com', { password: BOB_PASSWORD });
    issuedTokens.add(bobSession.token);
    const granted = await withCookie(
      request(server).post(`/admin/users/${bob.id}/roles`),
      annToken,
    ).send({ roles: ['auditor'] });
    expect(granted.status).toBe(200);
    collect(await withCookie(request(server).get('/me'), bobSession.token));
    const changed = collect(
      await withCookie(request(server).post('/auth/password'), annToken).send({
        currentPassword: ANN_PASSWORD,
        newPassword: ANN_NEW_PASSWORD,
      }),
    );
    expect(changed.status).toBe(204);
    annToken = tokenOf(changed);
    await rememberHash(ann.id);

    // Bad and dead cookies, then a logout.
    for (const cookie of [`sid=${UNKNOWN_TOKEN}`, 'sid=garbage', `sid=${annToken}; sid=x`]) {
      expect((await request(server).get('/me').set('Cookie', cookie)).status).toBe(401);
    }
    const spare = await logInSession(server, 'bob@example.com', { password: BOB_PASSWORD });
    issuedTokens.add(spare.token);
    expect((await withCookie(request(server).post('/auth/logout'), spare.token)).status).toBe(204);
    expect((await withCookie(request(server).get('/me'), spare.token)).status).toBe(401);

    // A session record of the wrong type, and a user record of the wrong type (a 500).
    const victim = await logInSession(server, 'bob@example.com', { password: BOB_PASSWORD });
    issuedTokens.add(victim.token);
    const [sessionKey] = await redis.keys(`${keyPrefix}*${tokenDigest(victim.token)}`);
    expect(sessionKey).toBeDefined();
    await redis.del(sessionKey!);
    await redis.set(sessionKey!, 'not a hash');
    expect((await withCookie(request(server).get('/me'), victim.token)).status).toBeLessThan(500);
    const broken = await signUp(server, 'broken@example.com', BOB_PASSWORD);
    const brokenLogin = await logInSession(server, 'broken@example.com', {
      password: BOB_PASSWORD,
    });
    issuedTokens.add(brokenLogin.token);
    await rememberHash(broken.id);
    await redis.del(`${keyPrefix}app:user:${broken.id}`);
    await redis.set(`${keyPrefix}app:user:${broken.id}`, 'not a hash');
    expect((await withCookie(request(server).get('/me'), brokenLogin.token)).status).toBe(500);

    // A Redis outage, with requests during it, and the recovery.
    redisServer.kill('SIGKILL');
    await redisServer.waitForExit();
    const logged = (pattern: RegExp) => () => Promise.resolve(pattern.test(logger.text()));
    // Down long enough for a reconnect attempt to fail, which is what the module reports.
    await pollUntil(logged(/Redis unreachable/), { deadlineMs: 3000 });
    expect((await withCookie(request(server).get('/me'), annToken)).status).toBe(503);
    expect((await login('ann@example.com', ANN_NEW_PASSWORD)).status).toBe(503);
    expect((await request(server).get('/health')).status).toBe(503);
    await redisServer.restart();
    await pollUntil(logged(/reachable again/), { deadlineMs: 3000 });
    await pollUntil(
      async () => (await withCookie(request(server).get('/me'), annToken)).status === 200,
      { deadlineMs: 3000 },
    );
    expect((await login('ann@example.com', ANN_NEW_PASSWORD)).status).toBe(200);

    // The capture saw the flow: the outage, its end and the unexpected error were logged.
    const text = logger.text();
    expect(text).toMatch(/\[error\].*Redis unreachable/);
    expect(text).toMatch(/reachable again/);
    expect(text).toMatch(/\[error\][\s\S]*WRONGTYPE/);
    // The request log is captured as well: a line per answer, refusals and failures included.
    const answers = logger.answers();
    expect(answers.length).toBeGreaterThanOrEqual(30);
    expect(answers).toEqual(
      expect.arrayContaining([
        'POST /auth/login 200',
        'POST /auth/login 401',
        'POST /auth/login 429',
        'GET /me 500',
        'GET /me 503',
      ]),
    );
    expect(issuedTokens.size).toBeGreaterThanOrEqual(8);
    expect(passwordHashes.size).toBe(4);
  });

  it('logged no issued token, no digest of one, no password and no password hash', () => {
    const logged = `${logger.text()}\n${consoleLines.join('\n')}`;
    const tokens = [...issuedTokens, UNKNOWN_TOKEN];
    const secrets = [
      ...tokens,
      ...tokens.map(tokenDigest),
      ...tokens.map((token) => createHash('sha256').update(token).digest('hex')),
      ANN_PASSWORD,
      ANN_NEW_PASSWORD,
      BOB_PASSWORD,
      CARL_GUESS,
      ...WRONG_PASSWORDS,
      ...passwordHashes,
    ];

    for (const secret of secrets) expect(logged).not.toContain(secret);
    // Nor any argon2 hash at all.
    expect(logged).not.toContain('$argon2');
  });
});
