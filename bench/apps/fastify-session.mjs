// Rows "es-read" and "es-write" on Fastify: @fastify/session + @fastify/cookie with
// connect-redis (the `redis` client), in the same NestJS app shape as express-session.mjs.
// Settings from @fastify/session's README: a secret of 32+ characters, `cookie.secure: false` on
// plain HTTP, saveUninitialized false (as in express-session.mjs), rolling left at its default
// (true), cookie.maxAge 30 min like our idle timeout. With rolling on, @fastify/session saves the
// session (connect-redis SET ... EX) on every response, changed or not: that is the sliding
// expiry it offers, and the cost its users pay for it.
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import {
  createApp,
  decorateClass,
  decorateMethod,
  decorateParam,
  env,
  listenAndReport,
  okBody,
} from './common.mjs';

export const KEY_PREFIX = process.env.BENCH_ES_KEY_PREFIX ?? 'bench-fs:sess:';
const IDLE_MS = 30 * 60 * 1000;

let writes = 0;

function requireUser(req) {
  const userId = req.session.get('userId');
  if (typeof userId !== 'string') throw new UnauthorizedException();
  return userId;
}

class FsController {
  /** Same content as ours.mjs's login: user id, roles, device, three small app keys. */
  async login(req, body) {
    // A new session id at login (fixation defence).
    await req.session.regenerate();
    req.session.set('userId', String(body.userId));
    req.session.set('roles', ['user']);
    req.session.set('device', { ip: req.ip, userAgent: req.headers['user-agent'] ?? '' });
    req.session.set('createdAt', Date.now());
    req.session.set('theme', 'dark');
    req.session.set('locale', 'en-GB');
    req.session.set('cartItems', 2);
    return okBody({ sessionId: req.session.sessionId });
  }

  read(req) {
    return okBody({ userId: requireUser(req) });
  }

  write(req) {
    const userId = requireUser(req);
    req.session.set('lastAction', ++writes);
    return okBody({ userId });
  }
}
decorateParam(FsController, 'login', 0, Req());
decorateParam(FsController, 'login', 1, Body());
decorateMethod(FsController, 'login', Post('login'), HttpCode(200));
decorateParam(FsController, 'read', 0, Req());
decorateMethod(FsController, 'read', Get('read'));
decorateParam(FsController, 'write', 0, Req());
decorateMethod(FsController, 'write', Post('write'), HttpCode(200));
decorateClass(FsController, Controller());

class FsModule {}
decorateClass(FsModule, Module({ controllers: [FsController] }));

if (env.platform !== 'fastify') throw new Error('fastify-session.mjs runs on Fastify only');

const client = createClient({ url: env.redisUrl });
client.on('error', (error) => process.stderr.write(`redis client: ${String(error)}\n`));
await client.connect();

const app = await createApp(FsModule);
await app.register(fastifyCookie);
await app.register(fastifySession, {
  store: new RedisStore({ client, prefix: KEY_PREFIX }),
  secret: 'bench-only-secret-not-for-production-use',
  cookieName: 'sid',
  saveUninitialized: false,
  cookie: { maxAge: IDLE_MS, httpOnly: true, sameSite: 'lax', secure: false, path: '/' },
});

await listenAndReport(app, { keyPrefix: KEY_PREFIX, cookieName: 'sid' }, async () => {
  await (client.close ? client.close() : client.quit()).catch(() => client.destroy());
});
