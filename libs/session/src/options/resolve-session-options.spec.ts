import type { Redis } from 'ioredis';
import { InvalidSessionOptionsError } from '../errors/invalid-session-options.error.js';
import { resolveSessionOptions } from './resolve-session-options.js';
import type { SessionModuleOptions } from './session-module-options.interface.js';

const redis = { url: 'redis://127.0.0.1:7000' };

/** Options as a caller without type checking (plain JS, env parsing) could pass them. */
function untyped(options: Record<string, unknown>): SessionModuleOptions {
  return options as unknown as SessionModuleOptions;
}

function rejectionOf(options: SessionModuleOptions): InvalidSessionOptionsError {
  try {
    resolveSessionOptions(options);
  } catch (error) {
    if (error instanceof InvalidSessionOptionsError) return error;
    throw error;
  }
  throw new Error('expected resolveSessionOptions to throw InvalidSessionOptionsError');
}

function expectRejected(options: SessionModuleOptions, option: string, received: string): void {
  const error = rejectionOf(options);
  expect(error.name).toBe('InvalidSessionOptionsError');
  expect(error.option).toBe(option);
  expect(error.message).toContain(`"${option}"`);
  expect(error.message).toContain(`received ${received},`);
}

describe('resolveSessionOptions defaults', () => {
  it('gives the documented defaults when only redis is set', () => {
    expect(resolveSessionOptions({ redis })).toEqual({
      redis,
      keyPrefix: 'sess:',
      cookie: { name: '__Host-sid', secure: true, sameSite: 'lax' },
      idleTimeoutMs: 1_800_000,
      absoluteTimeoutMs: 604_800_000,
      touchIntervalMs: 60_000,
      commandTimeoutMs: 1000,
      retryAfterSeconds: 1,
      connectionHint: undefined,
      sessionLimit: { maxSessions: 100, policy: 'evict-least-recently-used' },
      elevationMs: 300_000,
      csrf: { enabled: true, trustedOrigins: [], synchronizerTokenHeader: undefined },
      maxDataBytes: 16_384,
      socketWrites: 'coalesced',
    });
  });

  it('keeps socketWrites "immediate"', () => {
    expect(resolveSessionOptions({ redis, socketWrites: 'immediate' }).socketWrites).toBe(
      'immediate',
    );
  });

  it('names the cookie plain "sid" without the __Host- prefix when secure is off', () => {
    expect(resolveSessionOptions({ redis, cookie: { secure: false } }).cookie).toEqual({
      name: 'sid',
      secure: false,
      sameSite: 'lax',
    });
  });

  it('adds the __Host- prefix to a custom name when secure', () => {
    expect(resolveSessionOptions({ redis, cookie: { name: 'shop' } }).cookie.name).toBe(
      '__Host-shop',
    );
  });

  it('keeps sameSite strict', () => {
    expect(resolveSessionOptions({ redis, cookie: { sameSite: 'strict' } }).cookie.sameSite).toBe(
      'strict',
    );
  });

  it('converts every duration given in seconds to milliseconds', () => {
    const resolved = resolveSessionOptions({
      redis,
      idleTimeoutSeconds: 600,
      absoluteTimeoutSeconds: 3600,
      touchIntervalSeconds: 30,
      commandTimeoutMs: 250,
      retryAfterSeconds: 5,
      keyPrefix: '',
      connectionHint: 'run: docker compose up redis',
    });
    expect(resolved).toMatchObject({
      idleTimeoutMs: 600_000,
      absoluteTimeoutMs: 3_600_000,
      touchIntervalMs: 30_000,
      commandTimeoutMs: 250,
      retryAfterSeconds: 5,
      keyPrefix: '',
      connectionHint: 'run: docker compose up redis',
    });
  });

  it('lowers the default touch interval to half a short idle timeout', () => {
    expect(resolveSessionOptions({ redis, idleTimeoutSeconds: 60 }).touchIntervalMs).toBe(30_000);
    expect(resolveSessionOptions({ redis, idleTimeoutSeconds: 3 }).touchIntervalMs).toBe(1000);
  });

  it('accepts a touch interval one second below the idle timeout', () => {
    const resolved = resolveSessionOptions({
      redis,
      idleTimeoutSeconds: 10,
      touchIntervalSeconds: 9,
    });
    expect(resolved.touchIntervalMs).toBe(9000);
  });

  it('turns maxSessionsPerUser 0 into no limit', () => {
    expect(resolveSessionOptions({ redis, maxSessionsPerUser: 0 }).sessionLimit).toBeUndefined();
  });

  it('keeps an explicit session limit and policy', () => {
    expect(
      resolveSessionOptions({ redis, maxSessionsPerUser: 3, sessionLimitPolicy: 'refuse' })
        .sessionLimit,
    ).toEqual({ maxSessions: 3, policy: 'refuse' });
  });

  it.each([
    ['client', { client: {} as Redis }],
    ['url (rediss)', { url: 'rediss://user:pw@redis.internal:6380/2' }],
    ['sentinels', { sentinels: [{ host: 's1', port: 26400 }], name: 'mymaster' }],
    ['clusterNodes', { clusterNodes: [{ host: 'n1', port: 7000 }] }],
  ])('accepts the %s redis form as given', (_form, redisOption) => {
    expect(resolveSessionOptions({ redis: redisOption }).redis).toBe(redisOption);
  });
});

describe('resolveSessionOptions rejects', () => {
  const durations = [
    'idleTimeoutSeconds',
    'absoluteTimeoutSeconds',
    'touchIntervalSeconds',
    'commandTimeoutMs',
    'retryAfterSeconds',
    'elevationSeconds',
  ] as const;
  const badDurations: Array<[unknown, string]> = [
    [1.5, '1.5'],
    [0, '0'],
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [2 ** 53, String(2 ** 53)],
    ['60', '"60"'],
  ];
  // [option, value as the message shows it, value]: the title shows the value readably.
  const durationCases = durations.flatMap((option) =>
    badDurations.map(([value, shown]) => [option, shown, value] as const),
  );

  it.each(durationCases)('%s = %s, naming option and value', (option, shown, value) => {
    expectRejected(untyped({ redis, [option]: value }), option, shown);
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['"10"', '10'],
  ])('maxSessionsPerUser = %s', (shown, value) => {
    expectRejected(untyped({ redis, maxSessionsPerUser: value }), 'maxSessionsPerUser', shown);
  });

  it.each([['batched'], ['COALESCED'], [''], [true]])('socketWrites %j', (value) => {
    expectRejected(untyped({ redis, socketWrites: value }), 'socketWrites', JSON.stringify(value));
  });

  it.each([['none'], ['evict-oldest'], ['']])('sessionLimitPolicy %j', (policy) => {
    expectRejected(
      untyped({ redis, sessionLimitPolicy: policy }),
      'sessionLimitPolicy',
      JSON.stringify(policy),
    );
  });

  it.each([
    [1800, 1800],
    [1800, 1801],
    [10, 60],
  ])('idle %i with touch interval %i (touch must be below idle)', (idle, touch) => {
    expectRejected(
      { redis, idleTimeoutSeconds: idle, touchIntervalSeconds: touch },
      'touchIntervalSeconds',
      String(touch),
    );
  });

  it('the default touch interval of 60 s with an explicit idle timeout of 60 s', () => {
    // The default touch (60) is halved for a short idle, so only an explicit 60 is refused.
    expectRejected(
      { redis, idleTimeoutSeconds: 60, touchIntervalSeconds: 60 },
      'touchIntervalSeconds',
      '60',
    );
  });

  it.each([['sess{'], ['sess}'], ['{app}:'], ['a{b}c']])('keyPrefix %j', (keyPrefix) => {
    expectRejected({ redis, keyPrefix }, 'keyPrefix', JSON.stringify(keyPrefix));
  });

  it('a keyPrefix that is not a string', () => {
    expectRejected(untyped({ redis, keyPrefix: 7 }), 'keyPrefix', '7');
  });

  it.each([
    ['sid;x'],
    ['a b'],
    ['a=b'],
    [''],
    ['__Host-sid'],
    ['__Secure-sid'],
    ['__sid'],
    ['sïd'],
  ])('cookie name %j', (name) => {
    expectRejected({ redis, cookie: { name } }, 'cookie.name', JSON.stringify(name));
  });

  it.each([['none'], ['Lax'], ['']])('cookie sameSite %j', (sameSite) => {
    expectRejected(untyped({ redis, cookie: { sameSite } }), 'cookie.sameSite', `"${sameSite}"`);
  });

  it('a cookie secure flag that is not a boolean', () => {
    expectRejected(untyped({ redis, cookie: { secure: 'yes' } }), 'cookie.secure', '"yes"');
  });

  it('missing redis', () => {
    expectRejected(untyped({}), 'redis', 'undefined');
  });

  it('redis null', () => {
    expectRejected(untyped({ redis: null }), 'redis', 'null');
  });

  it('redis with none of the four forms', () => {
    expectRejected(untyped({ redis: { host: 'localhost' } }), 'redis', 'an object');
  });

  it.each([
    ['url and client', { url: 'redis://a', client: {} }],
    ['url and sentinels', { url: 'redis://a', sentinels: [{ host: 'a', port: 1 }], name: 'm' }],
    ['sentinels and clusterNodes', { sentinels: [], name: 'm', clusterNodes: [] }],
  ])('redis with two forms at once (%s)', (_label, redisOption) => {
    const error = rejectionOf(untyped({ redis: redisOption }));
    expect(error.option).toBe('redis');
    expect(error.message).toContain('received an object');
    expect(error.message).toContain('exactly one of client, url, sentinels or clusterNodes');
  });

  it.each([
    ['http://localhost:7000'],
    ['localhost:7000'],
    ['redis:/localhost'],
    [' redis://localhost'],
    ['REDIS://localhost'],
    [''],
  ])('redis.url %j', (url) => {
    expectRejected({ redis: { url } }, 'redis.url', JSON.stringify(url));
  });

  it('empty redis.sentinels', () => {
    expectRejected({ redis: { sentinels: [], name: 'mymaster' } }, 'redis.sentinels', 'an array');
  });

  it('redis.sentinels without the primary name', () => {
    expectRejected(
      { redis: { sentinels: [{ host: 's1', port: 26400 }], name: '' } },
      'redis.sentinels',
      'an array',
    );
  });

  it('empty redis.clusterNodes', () => {
    expectRejected({ redis: { clusterNodes: [] } }, 'redis.clusterNodes', 'an array');
  });

  it('redis.clusterNodes that is not a list', () => {
    expectRejected(
      untyped({ redis: { clusterNodes: 'n1:7000' } }),
      'redis.clusterNodes',
      '"n1:7000"',
    );
  });

  it('options that are not an object', () => {
    expectRejected(undefined as unknown as SessionModuleOptions, 'options', 'undefined');
  });

  it('checks an explicit absolute timeout even when every other option is valid', () => {
    const error = rejectionOf({ redis, absoluteTimeoutSeconds: 0 });
    expect(error.message).toBe(
      'Invalid SessionModule option "absoluteTimeoutSeconds": received 0, expected a positive whole number',
    );
  });
});

describe('resolveSessionOptions touch interval with a 1-second idle timeout', () => {
  const redis = { url: 'redis://127.0.0.1:1' };
  it('accepts an interval of 1 second', () => {
    expect(
      resolveSessionOptions({ redis, idleTimeoutSeconds: 1, touchIntervalSeconds: 1 })
        .touchIntervalMs,
    ).toBe(1000);
  });
  it('refuses a longer interval instead of cutting it silently', () => {
    expect(() =>
      resolveSessionOptions({ redis, idleTimeoutSeconds: 1, touchIntervalSeconds: 3600 }),
    ).toThrow(InvalidSessionOptionsError);
  });
});

describe('resolveSessionOptions error messages', () => {
  it('never quote a password from a rejected URL', () => {
    const attempt = () =>
      resolveSessionOptions({ redis: { url: 'http://user:s3cret@example.test' } });
    expect(attempt).toThrow(InvalidSessionOptionsError);
    expect(attempt).not.toThrow(/s3cret/);
  });
});
