import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Module,
  Post,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import { inject } from 'vitest';
import {
  CurrentSession,
  SessionModule,
  SessionService,
  type Session,
  type SessionModuleOptions,
} from 'nest-redis-session';
import { SessionTestingModule } from 'nest-redis-session/testing';
import { startRedisServer } from '../../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../../test/support/unique-prefix.js';
import { SessionKeys } from '../../src/redis/redis-keys.js';
import { addressOfToken, parseSessionToken } from '../../src/token/session-token.js';

// The optional synchronizer token (csrf.synchronizerToken): with it on, an unsafe request with a
// live session must carry `session.csrfToken` in the x-csrf-token header.

const REFUSED = { statusCode: 403, error: 'Forbidden', message: 'Missing or invalid CSRF token' };
const HEADER = 'x-csrf-token';

interface NoteData {
  note?: string;
  cart?: string[];
}

@Controller()
class TokenController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(@CurrentSession() session: Session<NoteData>, @Body() body: { userId: string }) {
    await this.sessions.establish(session, { userId: body.userId });
    return { csrfToken: session.csrfToken };
  }

  @Get('token')
  token(@CurrentSession() session: Session<NoteData>) {
    return { csrfToken: session.csrfToken, userId: session.userId, note: session.data.note };
  }

  @Post('note')
  @HttpCode(200)
  write(@CurrentSession() session: Session<NoteData>, @Body() body: { note: string }) {
    session.data.note = body.note;
    return { ok: true };
  }

  // Someone else (an admin) changes the user: without a session cookie, so no token is asked.
  @Post('roles')
  @HttpCode(204)
  async setRoles(@Body() body: { userId: string; roles: string[] }) {
    await this.sessions.updateUser(body.userId, { roles: body.roles });
  }

  @Post('rotate')
  @HttpCode(200)
  async rotate(@CurrentSession() session: Session<NoteData>) {
    await this.sessions.rotate(session);
    return { csrfToken: session.csrfToken };
  }

  @Post('cart')
  @HttpCode(200)
  addToCart(@CurrentSession() session: Session<NoteData>, @Body() body: { item: string }) {
    session.data.cart = [...(session.data.cart ?? []), body.item];
    return { csrfToken: session.csrfToken };
  }

  // Never reads the session: the guard still asks for the token when the cookie names one.
  @Delete('cache')
  @HttpCode(204)
  clearCache(): void {}
}

@Module({ controllers: [TokenController] })
class TokenRoutesModule {}

type Platform = 'express' | 'fastify';
type Backend = 'redis' | 'memory';

async function createApp(platform: Platform, sessionModule: DynamicModule) {
  const moduleRef = await Test.createTestingModule({
    imports: [sessionModule, TokenRoutesModule],
  }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await app.init();
  if (platform === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }
  return app;
}

function sessionModuleFor(backend: Backend, options: Omit<SessionModuleOptions, 'redis'>) {
  return backend === 'redis'
    ? SessionModule.forRoot({ ...options, redis: { url: inject('redisUrl') } })
    : SessionTestingModule.forRoot(options);
}

/** `sid=<token>` from a response's Set-Cookie, or `undefined` when it set none. */
function sessionCookie(response: request.Response): string | undefined {
  const setCookies = response.headers['set-cookie'] as unknown as string[] | undefined;
  const pair = setCookies?.map((line) => line.split(';')[0]!).find((p) => p.startsWith('sid='));
  return pair === undefined || pair === 'sid=' ? undefined : pair;
}

describe.each<[Platform, Backend]>([
  ['express', 'redis'],
  ['fastify', 'redis'],
  ['express', 'memory'],
])('synchronizer token on %s with the %s store', (platform, backend) => {
  const keyPrefix = uniquePrefix(`csrf-token-${platform}`);
  let app: INestApplication;
  let userCount = 0;

  beforeAll(async () => {
    app = await createApp(
      platform,
      sessionModuleFor(backend, {
        keyPrefix,
        cookie: { secure: false },
        csrf: { synchronizerToken: true },
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  const http = () => request(app.getHttpServer());

  /** A new signed-in session: its cookie and the token the login response embedded. */
  async function logIn(): Promise<{ cookie: string; token: string }> {
    const response = await http()
      .post('/login')
      .send({ userId: `user-${++userCount}` })
      .expect(200);
    const { csrfToken } = response.body as { csrfToken: string | null };
    const cookie = sessionCookie(response);
    if (cookie === undefined || csrfToken === null) throw new Error('login gave no session');
    return { cookie, token: csrfToken };
  }

  const note = async (cookie: string) =>
    ((await http().get('/token').set('Cookie', cookie).expect(200)).body as { note?: string }).note;

  it('gives a signed-in session a token, masked differently on every read', async () => {
    const { cookie, token } = await logIn();
    const again = (await http().get('/token').set('Cookie', cookie).expect(200)).body as {
      csrfToken: string;
    };

    expect(token).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(again.csrfToken).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(again.csrfToken).not.toBe(token);
    expect(token).not.toContain(cookie.slice('sid='.length));
  });

  it('refuses a POST with the session cookie and no token: 403, plain message, nothing written', async () => {
    const { cookie } = await logIn();

    const response = await http().post('/note').set('Cookie', cookie).send({ note: 'forged' });

    expect(response.status).toBe(403);
    expect(response.body).toEqual(REFUSED);
    expect(await note(cookie)).toBeUndefined();
  });

  it.each<[string, (own: { cookie: string; token: string }, other: string) => string]>([
    ['another session’s token', (_own, other) => other],
    ['random characters of the right length', () => 'A'.repeat(86)],
    [
      'the token with one character changed',
      ({ token }) => `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`,
    ],
    ['the session cookie’s own token', ({ cookie }) => cookie.slice('sid='.length)],
    ['the token twice', ({ token }) => `${token}, ${token}`],
  ])('refuses a wrong token (%s) with 403', async (_case, wrong) => {
    const own = await logIn();
    const other = await logIn();

    const response = await http()
      .post('/note')
      .set('Cookie', own.cookie)
      .set(HEADER, wrong(own, other.token))
      .send({ note: 'forged' });

    expect(response.status).toBe(403);
    expect(response.body).toEqual(REFUSED);
    expect(await note(own.cookie)).toBeUndefined();
  });

  it('reads the token from the header only, not from the body or the query string', async () => {
    const { cookie, token } = await logIn();

    await http()
      .post(`/note?csrfToken=${token}&${HEADER}=${token}`)
      .set('Cookie', cookie)
      .send({ note: 'forged', csrfToken: token, [HEADER]: token })
      .expect(403);
  });

  it('lets the right token through, in any masked form', async () => {
    const { cookie, token } = await logIn();

    await http().post('/note').set('Cookie', cookie).set(HEADER, token).send({ note: 'one' });
    expect(await note(cookie)).toBe('one');
    const { csrfToken } = (await http().get('/token').set('Cookie', cookie)).body as {
      csrfToken: string;
    };
    await http()
      .post('/note')
      .set('Cookie', cookie)
      .set(HEADER, csrfToken)
      .send({ note: 'two' })
      .expect(200);
    expect(await note(cookie)).toBe('two');
  });

  it('keeps the token valid when the session token rotates (same session, same secret)', async () => {
    const { cookie, token } = await logIn();

    const rotated = await http().post('/rotate').set('Cookie', cookie).set(HEADER, token);
    expect(rotated.status).toBe(200);
    const newCookie = sessionCookie(rotated)!;
    const newToken = (rotated.body as { csrfToken: string }).csrfToken;
    expect(newCookie).not.toBe(cookie);

    await http()
      .post('/note')
      .set('Cookie', newCookie)
      .set(HEADER, token)
      .send({ note: 'from the page before' })
      .expect(200);
    expect(await note(newCookie)).toBe('from the page before');
    await http()
      .post('/note')
      .set('Cookie', newCookie)
      .set(HEADER, newToken)
      .send({ note: 'fresh' })
      .expect(200);
    expect(await note(newCookie)).toBe('fresh');
    // The cookie from before the rotation is dead all the same: it names no session.
    const before = await http().get('/token').set('Cookie', cookie).expect(200);
    expect(before.body).toMatchObject({ userId: null, csrfToken: null });
  });

  it('gives a working token in the response that applies a rotation someone else scheduled', async () => {
    const userId = `user-${++userCount}`;
    const login = await http().post('/login').send({ userId }).expect(200);
    const cookie = sessionCookie(login)!;
    await http()
      .post('/roles')
      .send({ userId, roles: ['admin'] })
      .expect(204);

    // This GET applies the rotation: the handler rendered the token before the commit rotated.
    const page = await http().get('/token').set('Cookie', cookie).expect(200);
    const newCookie = sessionCookie(page);
    expect(newCookie).toBeDefined();
    expect(newCookie).not.toBe(cookie);

    await http()
      .post('/note')
      .set('Cookie', newCookie!)
      .set(HEADER, (page.body as { csrfToken: string }).csrfToken)
      .send({ note: 'after the role change' })
      .expect(200);
    expect(await note(newCookie!)).toBe('after the role change');
  });

  it('gives a new token at login: the token of the anonymous session before is refused', async () => {
    const cart = await http().post('/cart').send({ item: 'book' }).expect(200);
    // Stored only after the handler ran, so that response had no token yet; the next one has.
    expect((cart.body as { csrfToken: string | null }).csrfToken).toBeNull();
    const anonymousCookie = sessionCookie(cart)!;
    const anonymousToken = (
      (await http().get('/token').set('Cookie', anonymousCookie).expect(200)).body as {
        csrfToken: string;
      }
    ).csrfToken;
    expect(anonymousToken).toMatch(/^[A-Za-z0-9_-]{86}$/);
    await http()
      .post('/cart')
      .set('Cookie', anonymousCookie)
      .send({ item: 'no token' })
      .expect(403);

    const login = await http()
      .post('/login')
      .set('Cookie', anonymousCookie)
      .set(HEADER, anonymousToken)
      .send({ userId: 'shopper' })
      .expect(200);
    const cookie = sessionCookie(login)!;

    await http()
      .post('/note')
      .set('Cookie', cookie)
      .set(HEADER, anonymousToken)
      .send({ note: 'stale' })
      .expect(403);
    await http()
      .post('/note')
      .set('Cookie', cookie)
      .set(HEADER, (login.body as { csrfToken: string }).csrfToken)
      .send({ note: 'fresh' })
      .expect(200);
  });

  it('never asks for the token on GET', async () => {
    const { cookie } = await logIn();

    await http().get('/token').set('Cookie', cookie).expect(200);
  });

  it('asks for it on a route that never reads the session, too', async () => {
    const { cookie, token } = await logIn();

    await http().delete('/cache').set('Cookie', cookie).expect(403);
    await http().delete('/cache').set('Cookie', cookie).set(HEADER, token).expect(204);
  });

  it('leaves requests without a session cookie, or with a dead one, alone', async () => {
    await http().post('/cart').send({ item: 'pen' }).expect(200);

    const dead = `sid=${'D'.repeat(43)}`;
    const withDeadCookie = await http().post('/cart').set('Cookie', dead).send({ item: 'ink' });
    expect(withDeadCookie.status).toBe(200);
    expect(sessionCookie(withDeadCookie)).not.toBe(dead);
  });
});

describe('synchronizer token in Redis', () => {
  const keyPrefix = uniquePrefix('csrf-token-stored');
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  const keys = new SessionKeys(keyPrefix);
  const apps: INestApplication[] = [];

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    redis.disconnect();
  });

  async function appWith(synchronizerToken: boolean): Promise<INestApplication> {
    const app = await createApp(
      'express',
      sessionModuleFor('redis', {
        keyPrefix,
        cookie: { secure: false },
        csrf: { synchronizerToken },
      }),
    );
    apps.push(app);
    return app;
  }

  function storedFields(cookie: string): Promise<Record<string, string>> {
    const token = parseSessionToken(cookie.slice('sid='.length));
    if (token === null) throw new Error(`not a session cookie: ${cookie}`);
    return redis.hgetall(keys.session(addressOfToken(token)));
  }

  it('keeps the secret as one short field of the session hash, never equal to a token', async () => {
    const app = await appWith(true);
    const login = await request(app.getHttpServer())
      .post('/login')
      .send({ userId: 'stored' })
      .expect(200);
    const cookie = sessionCookie(login)!;

    const fields = await storedFields(cookie);
    const secret = fields['k'];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.byteLength(secret!)).toBeLessThanOrEqual(64);
    const token = (login.body as { csrfToken: string }).csrfToken;
    expect(token).not.toContain(secret);
    expect(Object.values(fields)).not.toContain(token);
  });

  it('stores no secret while the option is off, and session.csrfToken is null', async () => {
    const app = await appWith(false);
    const login = await request(app.getHttpServer())
      .post('/login')
      .send({ userId: 'off' })
      .expect(200);

    expect((login.body as { csrfToken: unknown }).csrfToken).toBeNull();
    expect(await storedFields(sessionCookie(login)!)).not.toHaveProperty('k');
  });

  it('does not lock out a session created before the option was turned on', async () => {
    const before = await appWith(false);
    const after = await appWith(true);
    const login = await request(before.getHttpServer())
      .post('/login')
      .send({ userId: 'upgraded' })
      .expect(200);
    const cookie = sessionCookie(login)!;

    await request(after.getHttpServer())
      .post('/note')
      .set('Cookie', cookie)
      .send({ note: 'no token' })
      .expect(403);
    const { csrfToken } = (
      await request(after.getHttpServer()).get('/token').set('Cookie', cookie).expect(200)
    ).body as { csrfToken: string };
    await request(after.getHttpServer())
      .post('/note')
      .set('Cookie', cookie)
      .set(HEADER, csrfToken)
      .send({ note: 'with token' })
      .expect(200);

    // Its token too changes with a rotation, and the one the rotating response gives works.
    const rotated = await request(after.getHttpServer())
      .post('/rotate')
      .set('Cookie', cookie)
      .set(HEADER, csrfToken)
      .expect(200);
    const newCookie = sessionCookie(rotated)!;
    await request(after.getHttpServer())
      .post('/note')
      .set('Cookie', newCookie)
      .set(HEADER, csrfToken)
      .send({ note: 'stale token' })
      .expect(403);
    await request(after.getHttpServer())
      .post('/note')
      .set('Cookie', newCookie)
      .set(HEADER, (rotated.body as { csrfToken: string }).csrfToken)
      .send({ note: 'after the rotation' })
      .expect(200);
  });

  it('answers 503 with Retry-After, not 403 or 500, when Redis cannot say whether the token is right', async () => {
    const server = await startRedisServer();
    const app = await createApp(
      'express',
      SessionModule.forRoot({
        redis: { url: server.url },
        cookie: { secure: false },
        csrf: { synchronizerToken: true },
      }),
    );
    try {
      const login = await request(app.getHttpServer())
        .post('/login')
        .send({ userId: 'outage' })
        .expect(200);
      const cookie = sessionCookie(login)!;
      server.kill('SIGKILL');
      await server.waitForExit();

      const response = await request(app.getHttpServer())
        .post('/note')
        .set('Cookie', cookie)
        .set(HEADER, (login.body as { csrfToken: string }).csrfToken)
        .send({ note: 'during the outage' });

      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
