// Rows "ours-read" and "ours-write": nest-redis-session as an application uses it. The global
// SessionGuard authenticates every request (one script call: read + expiry check + due touch);
// the write route changes one data key, which the module saves after the handler (a second
// script call).
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CurrentSession,
  Public,
  SessionGuard,
  SessionModule,
  SessionService,
} from 'nest-redis-session';
import {
  createApp,
  decorateClass,
  decorateMethod,
  decorateParam,
  env,
  injectConstructor,
  listenAndReport,
  okBody,
} from './common.mjs';

export const KEY_PREFIX = process.env.BENCH_OURS_KEY_PREFIX ?? 'bench:sess:';

let writes = 0;

class OursController {
  constructor(sessions) {
    this.sessions = sessions;
  }

  /** Logs in `userId` with roles ["user"] and three small app keys: a typical session. */
  async login(session, body) {
    await this.sessions.establish(session, { userId: String(body.userId), roles: ['user'] });
    session.data.theme = 'dark';
    session.data.locale = 'en-GB';
    session.data.cartItems = 2;
    return okBody({ sessionId: session.id });
  }

  /** A route of the same app that never uses the session: what the module costs it. */
  publicRoute() {
    return okBody();
  }

  /** Guarded (the session is read), but the handler does not take it: no commit after it. */
  signedIn() {
    return okBody();
  }

  read(session) {
    return okBody({ userId: session.userId });
  }

  write(session) {
    // A new value on every request, so the module always has one changed key to save.
    session.data.lastAction = ++writes;
    return okBody({ userId: session.userId });
  }
}
injectConstructor(OursController, SessionService);
decorateParam(OursController, 'login', 0, CurrentSession());
decorateParam(OursController, 'login', 1, Body());
decorateMethod(OursController, 'login', Public(), Post('login'), HttpCode(200));
decorateMethod(OursController, 'publicRoute', Public(), Get('public'));
decorateMethod(OursController, 'signedIn', Get('signed-in'));
decorateParam(OursController, 'read', 0, CurrentSession());
decorateMethod(OursController, 'read', Get('read'));
decorateParam(OursController, 'write', 0, CurrentSession());
decorateMethod(OursController, 'write', Post('write'), HttpCode(200));
decorateClass(OursController, Controller());

class OursModule {}
decorateClass(
  OursModule,
  Module({
    imports: [
      SessionModule.forRoot({
        redis: {
          url: env.redisUrl,
          // The "ours-read-ap" row: the same app with ioredis auto-pipelining on.
          options: { enableAutoPipelining: process.env.BENCH_OURS_AUTOPIPELINING === '1' },
        },
        keyPrefix: KEY_PREFIX,
        // The "ours-read-immediate" row: one socket write per command, as before 2026-12-05.
        socketWrites: process.env.BENCH_OURS_SOCKET_WRITES ?? 'coalesced',
        // Plain HTTP on loopback; everything else is the module's defaults (idle 30 min,
        // touch at most every 60 s, absolute 7 days).
        cookie: { secure: false },
      }),
    ],
    controllers: [OursController],
    providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
  }),
);

await listenAndReport(await createApp(OursModule), { keyPrefix: KEY_PREFIX, cookieName: 'sid' });
