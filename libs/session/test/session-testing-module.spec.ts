import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import ts from 'typescript';
import {
  CurrentSession,
  InvalidSessionOptionsError,
  Public,
  RequireElevation,
  RequireRoles,
  SESSION_REDIS_CLIENT,
  SessionEvents,
  SessionGuard,
  SessionService,
  SessionStore,
  type Session,
} from 'nest-redis-session';
import * as testing from 'nest-redis-session/testing';
import {
  MemorySessionStore,
  SessionTestingModule,
  sessionCookieFor,
} from 'nest-redis-session/testing';

/*
 * How an application tests its own controller: `@nestjs/testing` with SessionTestingModule in
 * place of SessionModule, no Redis anywhere, and sessionCookieFor() instead of a login request.
 */

interface ProfileData {
  visits?: number;
}

@Controller('profile')
class ProfileController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  show(@CurrentSession() session: Session<ProfileData>) {
    session.data.visits = (session.data.visits ?? 0) + 1;
    return { userId: session.userId, roles: session.roles, visits: session.data.visits };
  }

  @RequireRoles('admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }

  @RequireElevation()
  @Post('password')
  @HttpCode(204)
  changePassword(): void {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@CurrentSession() session: Session<ProfileData>, @Body() body: { user: string }) {
    await this.sessions.establish(session, { userId: body.user, roles: ['user'] });
    return { userId: session.userId };
  }
}

/** An application service in a module of its own, injecting what the session module exports. */
@Injectable()
class LoginAudit {
  readonly logins: string[] = [];
  constructor(
    events: SessionEvents,
    readonly sessions: SessionService,
  ) {
    events.on('created', (event) => {
      if (event.login) this.logins.push(event.userId ?? '');
    });
  }
}

@Module({ providers: [LoginAudit], exports: [LoginAudit] })
class AuditModule {}

async function createApp(options?: testing.SessionTestingModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [SessionTestingModule.forRoot(options), AuditModule],
    controllers: [ProfileController],
    providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('SessionTestingModule in an application test', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeEach(async () => {
    app = await createApp();
  });
  afterEach(() => app.close());

  it('answers 401 on a guarded route without a session', async () => {
    await http().get('/profile').expect(401);
  });

  it('lets sessionCookieFor() sign a user in, and keeps session data between requests', async () => {
    const cookie = await sessionCookieFor(app, { userId: 'alice', roles: ['user'] });
    expect(cookie).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43}$/);
    await http()
      .get('/profile')
      .set('Cookie', cookie)
      .expect(200, { userId: 'alice', roles: ['user'], visits: 1 });
    await http()
      .get('/profile')
      .set('Cookie', cookie)
      .expect(200, { userId: 'alice', roles: ['user'], visits: 2 });
  });

  it('starts the session with the data it is given', async () => {
    const cookie = await sessionCookieFor(app, { userId: 'bob', data: { visits: 41 } });
    const res = await http().get('/profile').set('Cookie', cookie).expect(200);
    expect(res.body).toEqual({ userId: 'bob', roles: [], visits: 42 });
  });

  it('applies @RequireRoles() and @RequireElevation() as in production', async () => {
    const user = await sessionCookieFor(app, { userId: 'carol', roles: ['user'] });
    const admin = await sessionCookieFor(app, { userId: 'dave', roles: ['admin'] });
    const elevated = await sessionCookieFor(app, { userId: 'erin', elevated: true });
    await http().get('/profile/admin').set('Cookie', user).expect(403);
    await http().get('/profile/admin').set('Cookie', admin).expect(200, { admin: true });
    await http().post('/profile/password').set('Cookie', admin).expect(403);
    await http().post('/profile/password').set('Cookie', elevated).expect(204);
  });

  it('runs a real login over HTTP, with the Set-Cookie the browser would get', async () => {
    const res = await http().post('/profile/login').send({ user: 'frank' }).expect(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^__Host-sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const cookie = setCookie.split(';')[0]!;
    await http().get('/profile').set('Cookie', cookie).expect(200);
    await http().post('/profile/login').set('Cookie', cookie).send({ user: 'frank' }).expect(200);
    // The login gave a new token: the old cookie is dead (session fixation defence).
    await http().get('/profile').set('Cookie', cookie).expect(401);
  });

  it('keeps sessions in one MemorySessionStore that the test can reach', async () => {
    await sessionCookieFor(app, { userId: 'grace' });
    await sessionCookieFor(app, { userId: 'grace' });
    expect(app.get(SessionStore)).toBe(app.get(MemorySessionStore));
    expect(app.get(MemorySessionStore)).toBeInstanceOf(MemorySessionStore);
    expect(await app.get(SessionService).list('grace')).toHaveLength(2);
    expect(await app.get(SessionService).revokeAll('grace')).toBe(2);
  });

  it('exports SessionService and SessionEvents to the application, and emits events', async () => {
    const audit = app.get(LoginAudit);
    await sessionCookieFor(app, { userId: 'heidi' });
    expect(audit.logins).toEqual(['heidi']);
    expect(audit.sessions).toBe(app.get(SessionService));
  });

  it('expires an idle session when the test moves the clock', async () => {
    const shortLived = await createApp({ idleTimeoutSeconds: 60 });
    try {
      const cookie = await sessionCookieFor(shortLived, { userId: 'ivan' });
      const server = shortLived.getHttpServer();
      await request(server).get('/profile').set('Cookie', cookie).expect(200);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      await request(server).get('/profile').set('Cookie', cookie).expect(401);
    } finally {
      vi.useRealTimers();
      await shortLived.close();
    }
  });
});

describe('SessionTestingModule options and wiring', () => {
  it('validates options as SessionModule does, at compile()', async () => {
    await expect(createApp({ idleTimeoutSeconds: 0 })).rejects.toThrow(InvalidSessionOptionsError);
  });

  it("accepts the application's own options, Redis settings included, and never connects", async () => {
    const app = await createApp({
      redis: { url: 'redis://127.0.0.1:1' },
      cookie: { name: 'app', secure: false },
    });
    try {
      const cookie = await sessionCookieFor(app, { userId: 'judy' });
      expect(cookie).toMatch(/^app=/);
      await request(app.getHttpServer()).get('/profile').set('Cookie', cookie).expect(200);
    } finally {
      await app.close();
    }
  });

  it('provides no Redis client: a provider that needs one fails at compile(), naming it', async () => {
    @Injectable()
    class NeedsRedis {
      constructor(@Inject(SESSION_REDIS_CLIENT) readonly client: unknown) {}
    }
    await expect(
      Test.createTestingModule({
        imports: [SessionTestingModule.forRoot()],
        providers: [NeedsRedis],
      }).compile(),
    ).rejects.toThrow(/nest-redis-session:redis-client/);
  });

  it('can be registered for one module only (isGlobal: false)', async () => {
    @Module({ imports: [SessionTestingModule.forRoot({ isGlobal: false })] })
    class Sessions {}
    await expect(
      Test.createTestingModule({ imports: [Sessions], providers: [LoginAudit] }).compile(),
    ).rejects.toThrow(/SessionEvents/);
  });

  it('saves @CurrentSession() changes in a module that imports it with isGlobal: false', async () => {
    @Controller()
    class VisitsController {
      @Public()
      @Post('visit')
      @HttpCode(200)
      visit(@CurrentSession() session: Session<{ visits?: number }>) {
        session.data.visits = (session.data.visits ?? 0) + 1;
        return { visits: session.data.visits };
      }
    }
    // The pipe @CurrentSession() resolves through is built in this module, from what the
    // imported SessionTestingModule exports.
    @Module({
      imports: [SessionTestingModule.forRoot({ isGlobal: false, cookie: { secure: false } })],
      controllers: [VisitsController],
    })
    class Visits {}
    const moduleRef = await Test.createTestingModule({ imports: [Visits] }).compile();
    const local = moduleRef.createNestApplication({ logger: false });
    await local.init();
    try {
      const first = await request(local.getHttpServer()).post('/visit').expect(200);
      const cookie = (first.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
      const second = await request(local.getHttpServer())
        .post('/visit')
        .set('Cookie', cookie)
        .expect(200);
      expect(second.body).toEqual({ visits: 2 });
    } finally {
      await local.close();
    }
  });

  it('fails at startup, naming the pipe, for @CurrentSession() in a module that cannot see the session module', async () => {
    @Controller()
    class Orphan {
      @Get('orphan')
      orphan(@CurrentSession() session: Session) {
        return session.id;
      }
    }
    @Module({ imports: [SessionTestingModule.forRoot({ isGlobal: false })] })
    class Sessions {}
    @Module({ controllers: [Orphan] })
    class Elsewhere {}
    await expect(
      Test.createTestingModule({ imports: [Sessions, Elsewhere] }).compile(),
    ).rejects.toThrow(/CurrentSessionPipe/);
  });

  it('exports exactly the documented runtime names from nest-redis-session/testing', () => {
    expect(Object.keys(testing).sort()).toEqual(
      ['MemorySessionStore', 'SessionTestingModule', 'sessionCookieFor'].sort(),
    );
  });
});

describe('the README section "Testing your application"', () => {
  const libraryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

  it('has an example that compiles under the strict settings of this repository', () => {
    const readme = readFileSync(join(libraryRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing your application'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toContain('SessionTestingModule.forRoot(');
    // Inside the repository, so the package and its peers resolve as in a user's project.
    const dir = mkdtempSync(join(libraryRoot, 'test', '.readme-testing-'));
    try {
      const file = join(dir, 'profile.controller.spec.ts');
      writeFileSync(file, example!);
      const config = ts.getParsedCommandLineOfConfigFile(
        join(libraryRoot, '..', '..', 'tsconfig.json'),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
            throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
          },
        },
      );
      const program = ts.createProgram([file], { ...config!.options, noEmit: true });
      const messages = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      expect(messages).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
