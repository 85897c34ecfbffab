import { DEFAULT_LOGIN_THROTTLE, readLoginThrottleConfig } from './read-throttle-config.js';

describe('readLoginThrottleConfig', () => {
  it('gives 5 per account and 50 per address per 15 minutes by default', () => {
    const problems: string[] = [];

    expect(readLoginThrottleConfig({}, problems)).toEqual({
      maxFailuresPerEmail: 5,
      maxFailuresPerIp: 50,
      failureWindowSeconds: 900,
    });
    expect(problems).toEqual([]);
  });

  it('reads every variable', () => {
    const problems: string[] = [];

    expect(
      readLoginThrottleConfig(
        {
          LOGIN_MAX_FAILURES_PER_EMAIL: '3',
          LOGIN_MAX_FAILURES_PER_IP: ' 200 ',
          LOGIN_FAILURE_WINDOW_SECONDS: '600',
        },
        problems,
      ),
    ).toEqual({ maxFailuresPerEmail: 3, maxFailuresPerIp: 200, failureWindowSeconds: 600 });
    expect(problems).toEqual([]);
  });

  it('names every bad variable and keeps the defaults for them', () => {
    const problems: string[] = [];

    const config = readLoginThrottleConfig(
      {
        LOGIN_MAX_FAILURES_PER_EMAIL: '0',
        LOGIN_MAX_FAILURES_PER_IP: 'lots',
        LOGIN_FAILURE_WINDOW_SECONDS: '86401',
      },
      problems,
    );

    expect(config).toEqual(DEFAULT_LOGIN_THROTTLE);
    expect(problems).toEqual([
      'LOGIN_MAX_FAILURES_PER_EMAIL: received "0", expected an integer from 1 to 1000',
      'LOGIN_MAX_FAILURES_PER_IP: received "lots", expected an integer from 1 to 1000000',
      'LOGIN_FAILURE_WINDOW_SECONDS: received "86401", expected an integer from 1 to 86400',
    ]);
  });
});
