import type { INestApplicationContext } from '@nestjs/common';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import { RequestSession } from '../http/request-session.js';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.constants.js';
import { SessionService } from '../session.service.js';
import type { SessionPrincipal } from '../session.types.js';

/** Who `sessionCookieFor()` logs in, and what their session starts with. @publicApi */
export interface TestSessionOptions extends SessionPrincipal {
  /** Initial `session.data`. */
  data?: Record<string, unknown>;
  /** Start in step-up mode, for routes marked `@RequireElevation()`. @default false */
  elevated?: boolean;
}

// The session is created outside any request: no client address, no user agent.
const NO_CLIENT = { ip: '', userAgent: '' };

/**
 * Logs a user in without an HTTP round trip and resolves the `Cookie` header value that carries
 * the session, e.g. `__Host-sid=…`. It goes through `SessionService.establish()` (and
 * `elevate()`), so limits, generations and events apply as for a real login. Works with
 * `SessionTestingModule` and with `SessionModule`.
 *
 * @example
 * const cookie = await sessionCookieFor(app, { userId: 'alice', roles: ['admin'] });
 * await request(app.getHttpServer()).get('/admin').set('Cookie', cookie).expect(200);
 *
 * @publicApi
 */
export async function sessionCookieFor(
  app: Pick<INestApplicationContext, 'get'>,
  user: TestSessionOptions,
): Promise<string> {
  const options = app.get<ResolvedSessionOptions>(RESOLVED_SESSION_OPTIONS);
  const lifecycle = app.get(RequestSessionLifecycle);
  const sessions = app.get(SessionService);
  const session = RequestSession.anonymous<Record<string, unknown>>(
    lifecycle.freshStoredSession(null, {}, NO_CLIENT),
    options.idleTimeoutMs,
    false,
    () => NO_CLIENT,
  );
  session.data = { ...user.data };
  const { userId, roles, generation } = user;
  await sessions.establish(session, { userId, roles, generation });
  if (user.elevated === true) await sessions.elevate(session);
  if (session.issuedToken === null) throw new Error('establish() issued no token');
  return `${options.cookie.name}=${session.issuedToken}`;
}
