import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieFor } from '../testing/session-cookie-for.js';
import { SessionTestingModule } from '../testing/session-testing.module.js';
import { RequestSessionLifecycle, takePendingSave } from './request-session.lifecycle.js';

/*
 * The hand-over between @CurrentSession() and the reply hook: the session a handler took is
 * found again from the response alone, once. Express links a response to its request as
 * `res.req`, Fastify as `reply.request`; any other response must work too.
 */
describe('RequestSessionLifecycle: the session a handler took, found from its response', () => {
  let context: INestApplicationContext;
  let lifecycle: RequestSessionLifecycle;
  let cookie: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SessionTestingModule.forRoot({ cookie: { secure: false } })],
    }).compile();
    context = await moduleRef.init();
    lifecycle = context.get(RequestSessionLifecycle);
    cookie = await sessionCookieFor(context, { userId: 'alice' });
  });

  afterAll(() => context.close());

  const request = () => ({ headers: { cookie } });

  it.each([
    ['an Express response (res.req)', (req: object) => ({ req })],
    ['a Fastify reply (reply.request)', (req: object) => ({ request: req })],
    ['a response with no link to its request', () => ({})],
  ])('hands it over once for %s', async (_label, responseFor) => {
    const req = request();
    const res = responseFor(req);

    const session = await lifecycle.sessionForHandler(req, res);

    expect(session.userId).toBe('alice');
    expect(takePendingSave(res)).toEqual({ lifecycle, session });
    expect(takePendingSave(res)).toBeUndefined();
  });

  it('hands over the session a guard loaded before, synchronously', async () => {
    const req = request();
    const res = { req };
    const loaded = await lifecycle.load(req);

    const session = lifecycle.sessionForHandler(req, res);

    expect(session).toBe(loaded);
    expect(takePendingSave(res)?.session).toBe(loaded);
  });

  it('has nothing to save when no handler took the session', async () => {
    const req = request();
    await lifecycle.load(req);

    expect(takePendingSave({ req })).toBeUndefined();
    expect(takePendingSave({})).toBeUndefined();
  });
});
