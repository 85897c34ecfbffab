// Rows "es-read" and "es-write": express-session + connect-redis (with the `redis` client, as
// connect-redis's README sets it up) mounted in the same NestJS app shape as ours.mjs.
// Settings: resave false and saveUninitialized false (connect-redis's README), rolling true and
// cookie.maxAge 30 min for sliding expiry comparable to ours (idle timeout 30 min): every
// response re-sends the cookie and every request that does not change the session makes
// connect-redis "touch" it (EXPIRE), so the deadline slides on each request.
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
import session from 'express-session';
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

export const KEY_PREFIX = process.env.BENCH_ES_KEY_PREFIX ?? 'bench-es:sess:';
const IDLE_MS = 30 * 60 * 1000;

let writes = 0;

function regenerate(req) {
  return new Promise((resolve, reject) =>
    req.session.regenerate((error) => (error ? reject(error) : resolve())),
  );
}

function requireUser(req) {
  if (typeof req.session?.userId !== 'string') throw new UnauthorizedException();
  return req.session.userId;
}

class EsController {
  /** Same content as ours.mjs's login: user id, roles, device, three small app keys. */
  async login(req, body) {
    // A new session id at login (fixation defence), as express-session's docs recommend.
    await regenerate(req);
    req.session.userId = String(body.userId);
    req.session.roles = ['user'];
    req.session.device = { ip: req.ip, userAgent: req.get('user-agent') ?? '' };
    req.session.createdAt = Date.now();
    req.session.theme = 'dark';
    req.session.locale = 'en-GB';
    req.session.cartItems = 2;
    return okBody({ sessionId: req.sessionID });
  }

  read(req) {
    return okBody({ userId: requireUser(req) });
  }

  write(req) {
    const userId = requireUser(req);
    req.session.lastAction = ++writes;
    return okBody({ userId });
  }
}
decorateParam(EsController, 'login', 0, Req());
decorateParam(EsController, 'login', 1, Body());
decorateMethod(EsController, 'login', Post('login'), HttpCode(200));
decorateParam(EsController, 'read', 0, Req());
decorateMethod(EsController, 'read', Get('read'));
decorateParam(EsController, 'write', 0, Req());
decorateMethod(EsController, 'write', Post('write'), HttpCode(200));
decorateClass(EsController, Controller());

class EsModule {}
decorateClass(EsModule, Module({ controllers: [EsController] }));

const client = createClient({ url: env.redisUrl });
client.on('error', (error) => process.stderr.write(`redis client: ${String(error)}\n`));
await client.connect();

const app = await createApp(EsModule);
app.use(
  session({
    store: new RedisStore({ client, prefix: KEY_PREFIX }),
    secret: 'bench-only-secret-not-for-production',
    name: 'sid',
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { maxAge: IDLE_MS, httpOnly: true, sameSite: 'lax', secure: false },
  }),
);

await listenAndReport(app, { keyPrefix: KEY_PREFIX, cookieName: 'sid' }, async () => {
  await (client.close ? client.close() : client.quit()).catch(() => client.destroy());
});
