import { InvalidSessionOptionsError } from '../errors/invalid-session-options.error.js';
import { resolveSessionOptions } from './resolve-session-options.js';
import type { SessionCsrfOptions } from './session-module-options.interface.js';

const redis = { url: 'redis://127.0.0.1:7000' };

function csrfOf(csrf: SessionCsrfOptions | undefined) {
  return resolveSessionOptions({ redis, csrf }).csrf;
}

/** The option a rejection names, and its message; fails unless it is InvalidSessionOptionsError. */
function rejectionOf(csrf: Record<string, unknown>): { option: string; message: string } {
  try {
    resolveSessionOptions({ redis, csrf });
  } catch (error) {
    if (error instanceof InvalidSessionOptionsError) return error;
    throw error;
  }
  throw new Error('expected resolveSessionOptions to throw InvalidSessionOptionsError');
}

describe('csrf options', () => {
  it('default to the Fetch Metadata guard on and no synchronizer token', () => {
    expect(csrfOf(undefined)).toEqual({
      enabled: true,
      trustedOrigins: [],
      synchronizerTokenHeader: undefined,
    });
  });

  it('turn the synchronizer token on with the default header x-csrf-token', () => {
    expect(csrfOf({ synchronizerToken: true }).synchronizerTokenHeader).toBe('x-csrf-token');
  });

  it('lower-case a custom header name, as Node and Fastify hand header names over', () => {
    const resolved = csrfOf({ synchronizerToken: true, headerName: 'X-XSRF-Token' });
    expect(resolved.synchronizerTokenHeader).toBe('x-xsrf-token');
  });

  it('ignore the header name while the synchronizer token is off', () => {
    expect(csrfOf({ headerName: 'x-other' }).synchronizerTokenHeader).toBeUndefined();
  });

  it('keep trusted origins', () => {
    expect(csrfOf({ trustedOrigins: ['https://a.example.test:8443'] }).trustedOrigins).toEqual([
      'https://a.example.test:8443',
    ]);
  });
});

describe('csrf options reject', () => {
  it.each([
    ['enabled that is not a boolean', { enabled: 'yes' }, 'csrf.enabled'],
    ['synchronizerToken that is not a boolean', { synchronizerToken: 1 }, 'csrf.synchronizerToken'],
    ['an empty header name', { synchronizerToken: true, headerName: '' }, 'csrf.headerName'],
    [
      'a header name with a space',
      { synchronizerToken: true, headerName: 'x csrf' },
      'csrf.headerName',
    ],
    [
      'a header name with a colon',
      { synchronizerToken: true, headerName: 'x-csrf:' },
      'csrf.headerName',
    ],
    ['a header name that is not a string', { headerName: 42 }, 'csrf.headerName'],
    [
      'a trusted origin with a path',
      { trustedOrigins: ['https://a.test/x'] },
      'csrf.trustedOrigins',
    ],
  ])('%s, naming the option', (_case, csrf, option) => {
    const error = rejectionOf(csrf);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`"${option}"`);
  });

  it('a synchronizer token with the CSRF guard turned off, which would check nothing', () => {
    const error = rejectionOf({ enabled: false, synchronizerToken: true });
    expect(error.option).toBe('csrf.synchronizerToken');
    expect(error.message).toContain('csrf.enabled is false');
  });
});
