import * as api from './index.js';
import type { Session, SessionAddress, TokenDigest } from './index.js';
import { digestSessionToken, type SessionToken } from './token/session-token.js';

// Type tests: checked by `tsc --noEmit` (expectTypeOf does nothing at run time). A wrong
// expectation here is a compile error, so these fail the typecheck, not the Vitest run.
describe('public types', () => {
  it('gives Session<T> a data property of exactly T', () => {
    expectTypeOf<Session<{ cart: string[] }>['data']>().toEqualTypeOf<{ cart: string[] }>();
  });

  it('defaults Session data to a record of unknown values', () => {
    expectTypeOf<Session['data']>().toEqualTypeOf<Record<string, unknown>>();
  });

  it('types Session.userId as string | null', () => {
    expectTypeOf<Session['userId']>().toEqualTypeOf<string | null>();
  });

  it('types Session.csrfToken as string | null (null while the synchronizer token is off)', () => {
    expectTypeOf<Session['csrfToken']>().toEqualTypeOf<string | null>();
  });

  it('refuses a plain string where a TokenDigest is expected', () => {
    expectTypeOf<string>().not.toExtend<TokenDigest>();
    expectTypeOf<TokenDigest>().toExtend<string>();
  });

  it('refuses a raw SessionToken where a TokenDigest is expected', () => {
    expectTypeOf<SessionToken>().not.toExtend<TokenDigest>();
    expectTypeOf(digestSessionToken).parameter(0).toEqualTypeOf<SessionToken>();
    expectTypeOf(digestSessionToken).returns.toEqualTypeOf<TokenDigest>();
  });

  it('lets the store address a session by digest, never by token', () => {
    expectTypeOf<SessionAddress['digest']>().toEqualTypeOf<TokenDigest>();
    expectTypeOf<{
      shard: SessionAddress['shard'];
      digest: string;
    }>().not.toExtend<SessionAddress>();
    expectTypeOf<Parameters<api.SessionStore['read']>[0]>().toEqualTypeOf<SessionAddress>();
  });
});

describe('public barrel (index.ts)', () => {
  it('exports exactly the documented runtime names', () => {
    // Read from index.ts: every `export { … }` (not `export type`). A new runtime export must be
    // added here on purpose; an accidental one fails this test.
    const expected = [
      'CurrentSession',
      'DEFAULT_SESSION_OPTIONS',
      'InvalidSessionOptionsError',
      'Public',
      'RedisSessionStore',
      'RefuseCrossSite',
      'RequireElevation',
      'RequireRoles',
      'SESSION_MODULE_ASYNC_OPTIONS_TYPE',
      'SESSION_MODULE_OPTIONS',
      'SESSION_MODULE_OPTIONS_TYPE',
      'SESSION_REDIS_CLIENT',
      'SessionDataError',
      'SessionDataTooLargeError',
      'SessionEvents',
      'SessionGuard',
      'SessionLimitReachedError',
      'SessionModule',
      'SessionService',
      'SessionStore',
      'SessionStoreUnavailableError',
      'failFastRedisOptions',
      'isRedisUnavailableError',
    ].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
  });

  it('exports classes and functions, not undefined placeholders, for the runtime names', () => {
    const callables = [
      api.SessionModule,
      api.SessionService,
      api.SessionGuard,
      api.SessionStore,
      api.RedisSessionStore,
      api.Public,
      api.RefuseCrossSite,
      api.CurrentSession,
      api.failFastRedisOptions,
      api.isRedisUnavailableError,
      api.InvalidSessionOptionsError,
      api.SessionStoreUnavailableError,
      api.SessionDataError,
      api.SessionLimitReachedError,
      api.SessionEvents,
      api.RequireElevation,
      api.RequireRoles,
    ];
    for (const value of callables) expect(value).toBeTypeOf('function');
    expect(api.SESSION_REDIS_CLIENT).toBeTypeOf('symbol');
    expect(api.DEFAULT_SESSION_OPTIONS.cookie.name).toBe('sid');
  });
});
