import { requestLogLevel } from './http-logger.js';

describe('requestLogLevel', () => {
  it.each([
    [200, 'debug'],
    [204, 'debug'],
    [302, 'debug'],
    [401, 'info'],
    [429, 'info'],
    [500, 'error'],
    [502, 'error'],
    [503, 'warn'],
  ] as const)('logs an answer with status %i at %s', (status, level) => {
    expect(requestLogLevel(status, undefined)).toBe(level);
  });

  it('logs a request that failed with an error at error, whatever its status', () => {
    expect(requestLogLevel(200, new Error('socket hang up'))).toBe('error');
  });
});
