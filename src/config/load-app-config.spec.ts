import { InvalidAppConfigError } from './invalid-app-config.error.js';
import { loadAppConfig } from './load-app-config.js';
import { toSessionModuleOptions } from './to-session-module-options.js';

// The default REDIS_URL that the HTTP contract (API.md) documents; no test connects to it.
const CONTRACT_DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof InvalidAppConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadAppConfig to throw InvalidAppConfigError');
}

describe('loadAppConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadAppConfig({})).toEqual({
      port: 3000,
      production: false,
      httpAdapter: 'express',
      trustProxy: undefined,
      logLevels: ['log', 'warn', 'error', 'fatal'],
      redis: { kind: 'standalone', url: CONTRACT_DEFAULT_REDIS_URL },
      redisKeyPrefix: '',
      session: {
        idleTimeoutSeconds: 1800,
        absoluteTimeoutSeconds: 604_800,
        touchIntervalSeconds: 60,
        replicaAcknowledgement: null,
      },
      adminEmail: null,
      loginThrottle: { maxFailuresPerEmail: 5, maxFailuresPerIp: 50, failureWindowSeconds: 900 },
    });
  });

  it('reads every variable', () => {
    const config = loadAppConfig({
      PORT: '8080',
      NODE_ENV: 'production',
      REDIS_URL: 'rediss://user:secret@redis.internal:6380/2',
      REDIS_KEY_PREFIX: 'shop:',
      SESSION_IDLE_TIMEOUT: '600',
      SESSION_ABSOLUTE_TIMEOUT: '3600',
      SESSION_TOUCH_INTERVAL: '30',
      ADMIN_EMAIL: '  Admin@Example.COM ',
      HTTP_ADAPTER: 'express',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      LOG_LEVEL: 'warn',
      SESSION_WAIT_REPLICAS: '2',
      SESSION_WAIT_TIMEOUT_MS: '300',
      LOGIN_MAX_FAILURES_PER_EMAIL: '3',
      LOGIN_MAX_FAILURES_PER_IP: '30',
      LOGIN_FAILURE_WINDOW_SECONDS: '600',
    });
    expect(config).toEqual({
      port: 8080,
      production: true,
      httpAdapter: 'express',
      trustProxy: 'loopback, 10.0.0.0/8',
      logLevels: ['warn', 'error', 'fatal'],
      redis: { kind: 'standalone', url: 'rediss://user:secret@redis.internal:6380/2' },
      redisKeyPrefix: 'shop:',
      session: {
        idleTimeoutSeconds: 600,
        absoluteTimeoutSeconds: 3600,
        touchIntervalSeconds: 30,
        replicaAcknowledgement: { replicas: 2, timeoutMs: 300 },
      },
      adminEmail: 'admin@example.com',
      loginThrottle: { maxFailuresPerEmail: 3, maxFailuresPerIp: 30, failureWindowSeconds: 600 },
    });
  });

  it('treats blank variables as unset', () => {
    expect(loadAppConfig({ PORT: ' ', REDIS_URL: '', ADMIN_EMAIL: '' })).toMatchObject({
      port: 3000,
      redis: { kind: 'standalone', url: CONTRACT_DEFAULT_REDIS_URL },
      adminEmail: null,
    });
  });

  it.each([
    ['development', false],
    ['test', false],
    ['Production', false],
    ['production', true],
  ])('NODE_ENV=%s gives production %s', (nodeEnv, production) => {
    expect(loadAppConfig({ NODE_ENV: nodeEnv }).production).toBe(production);
  });

  it('reads a Sentinel topology, including IPv6 addresses', () => {
    const config = loadAppConfig({
      REDIS_SENTINELS: '10.0.0.1:26401, sentinel-2:26402,[::1]:26403',
      REDIS_SENTINEL_NAME: 'mymaster',
    });
    expect(config.redis).toEqual({
      kind: 'sentinel',
      name: 'mymaster',
      sentinels: [
        { host: '10.0.0.1', port: 26401 },
        { host: 'sentinel-2', port: 26402 },
        { host: '::1', port: 26403 },
      ],
    });
  });

  it('reads a Cluster topology', () => {
    const config = loadAppConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' });
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
    });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['127.0.0.1', '127.0.0.1'],
    ['uniquelocal,::1/128', 'uniquelocal,::1/128'],
  ])('reads TRUST_PROXY=%s', (raw, expected) => {
    expect(loadAppConfig({ TRUST_PROXY: raw }).trustProxy).toBe(expected);
  });

  it.each(['express', 'fastify'] as const)('reads HTTP_ADAPTER=%s', (name) => {
    expect(loadAppConfig({ HTTP_ADAPTER: name }).httpAdapter).toBe(name);
  });

  it('refuses an HTTP_ADAPTER it does not know, naming the accepted ones', () => {
    expect(problemsOf({ HTTP_ADAPTER: 'Fastify' })).toEqual([
      'HTTP_ADAPTER: received "Fastify", expected one of express, fastify',
    ]);
  });

  it('lists every bad variable in one error', () => {
    const problems = problemsOf({
      PORT: '70000',
      SESSION_IDLE_TIMEOUT: 'soon',
      SESSION_ABSOLUTE_TIMEOUT: '-5',
      SESSION_TOUCH_INTERVAL: '1.5',
      ADMIN_EMAIL: 'not-an-email',
      HTTP_ADAPTER: 'koa',
      TRUST_PROXY: 'everyone',
      LOG_LEVEL: 'loud',
      REDIS_KEY_PREFIX: '{app}:',
    });
    const variables = problems.map((problem) => problem.slice(0, problem.indexOf(':')));
    expect(variables).toEqual([
      'SESSION_IDLE_TIMEOUT',
      'SESSION_ABSOLUTE_TIMEOUT',
      'SESSION_TOUCH_INTERVAL',
      'PORT',
      'HTTP_ADAPTER',
      'TRUST_PROXY',
      'LOG_LEVEL',
      'REDIS_KEY_PREFIX',
      'ADMIN_EMAIL',
    ]);
    expect(problems[0]).toBe(
      'SESSION_IDLE_TIMEOUT: received "soon", expected an integer of at least 1',
    );
  });

  it('puts every problem in the error message', () => {
    expect(() => loadAppConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(
      /Invalid configuration \(2 problems\):\n {2}- PORT: .*\n {2}- LOG_LEVEL: /,
    );
  });

  it('checks the timeouts against each other', () => {
    expect(
      problemsOf({
        SESSION_IDLE_TIMEOUT: '7200',
        SESSION_ABSOLUTE_TIMEOUT: '3600',
        SESSION_TOUCH_INTERVAL: '7200',
      }),
    ).toEqual([
      'SESSION_IDLE_TIMEOUT (7200) must not exceed SESSION_ABSOLUTE_TIMEOUT (3600)',
      'SESSION_TOUCH_INTERVAL (7200) must be below SESSION_IDLE_TIMEOUT (7200)',
    ]);
  });

  it('turns on replica acknowledgement with SESSION_WAIT_REPLICAS, waiting 200 ms by default', () => {
    expect(loadAppConfig({ SESSION_WAIT_REPLICAS: '1' }).session.replicaAcknowledgement).toEqual({
      replicas: 1,
      timeoutMs: 200,
    });
    expect(
      loadAppConfig({ SESSION_WAIT_REPLICAS: ' 2 ', SESSION_WAIT_TIMEOUT_MS: '999' }).session
        .replicaAcknowledgement,
    ).toEqual({ replicas: 2, timeoutMs: 999 });
  });

  it('passes replica acknowledgement on to the session module, and leaves it off by default', () => {
    expect(
      toSessionModuleOptions(loadAppConfig({ SESSION_WAIT_REPLICAS: '1' })).replicaAcknowledgement,
    ).toEqual({ replicas: 1, timeoutMs: 200 });
    expect(toSessionModuleOptions(loadAppConfig({}))).not.toHaveProperty('replicaAcknowledgement');
  });

  it.each([
    [
      { SESSION_WAIT_REPLICAS: '0' },
      'SESSION_WAIT_REPLICAS: received "0", expected an integer of at least 1',
    ],
    [
      { SESSION_WAIT_REPLICAS: 'all' },
      'SESSION_WAIT_REPLICAS: received "all", expected an integer of at least 1',
    ],
    [
      { SESSION_WAIT_REPLICAS: '1.5' },
      'SESSION_WAIT_REPLICAS: received "1.5", expected an integer of at least 1',
    ],
    [
      { SESSION_WAIT_REPLICAS: '1', SESSION_WAIT_TIMEOUT_MS: '1000' },
      'SESSION_WAIT_TIMEOUT_MS: received "1000", expected an integer from 1 to 999 (below the 1000 ms Redis command timeout)',
    ],
    [
      // WAIT 1 0 would block until a replica answers: never a bounded request.
      { SESSION_WAIT_REPLICAS: '1', SESSION_WAIT_TIMEOUT_MS: '0' },
      'SESSION_WAIT_TIMEOUT_MS: received "0", expected an integer from 1 to 999 (below the 1000 ms Redis command timeout)',
    ],
    [
      { SESSION_WAIT_REPLICAS: '1', SESSION_WAIT_TIMEOUT_MS: '200ms' },
      'SESSION_WAIT_TIMEOUT_MS: received "200ms", expected an integer from 1 to 999 (below the 1000 ms Redis command timeout)',
    ],
    [
      { SESSION_WAIT_TIMEOUT_MS: '200' },
      'SESSION_WAIT_TIMEOUT_MS: is only used with SESSION_WAIT_REPLICAS, which is not set',
    ],
  ])('refuses replica acknowledgement settings %o', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });

  it('reports bad replica acknowledgement settings together with the other variables', () => {
    const problems = problemsOf({
      PORT: 'x',
      SESSION_WAIT_REPLICAS: '-1',
      SESSION_WAIT_TIMEOUT_MS: '5000',
    });
    expect(problems.map((problem) => problem.slice(0, problem.indexOf(':')))).toEqual([
      'PORT',
      'SESSION_WAIT_REPLICAS',
      'SESSION_WAIT_TIMEOUT_MS',
    ]);
  });

  it('refuses more than one Redis topology', () => {
    expect(
      problemsOf({
        REDIS_URL: 'redis://127.0.0.1:7000',
        REDIS_CLUSTER_NODES: '127.0.0.1:7000',
      }),
    ).toEqual([
      expect.stringMatching(/^REDIS_URL, REDIS_CLUSTER_NODES: set only one Redis topology/),
    ]);
  });

  it('needs REDIS_SENTINEL_NAME with REDIS_SENTINELS, and only with it', () => {
    expect(problemsOf({ REDIS_SENTINELS: '127.0.0.1:26401' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_NAME: required with REDIS_SENTINELS/),
    ]);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'mymaster' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_NAME: is only used with REDIS_SENTINELS/),
    ]);
  });

  it('names the bad entries of a host list', () => {
    expect(
      problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1,host:99999,[nope]:1' }),
    ).toEqual([
      'REDIS_CLUSTER_NODES: received "127.0.0.1", "host:99999", "[nope]:1", expected host:port[,host:port...] (IPv6 as [::1]:26379)',
    ]);
  });

  it('refuses a REDIS_URL that is not a redis URL without echoing it (it may hold a password)', () => {
    const problems = problemsOf({ REDIS_URL: 'http://user:hunter2@cache:7000' });
    expect(problems).toEqual([
      expect.stringMatching(/^REDIS_URL: expected a redis:\/\/ or rediss:\/\//),
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });
});
