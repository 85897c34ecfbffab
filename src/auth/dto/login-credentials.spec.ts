import { readLoginCredentials } from './login-credentials.js';

describe('readLoginCredentials', () => {
  it('returns the two strings of a well-formed body', () => {
    expect(
      readLoginCredentials({ email: 'ann@example.com', password: 'secret123', extra: 1 }),
    ).toEqual({
      email: 'ann@example.com',
      password: 'secret123',
    });
  });

  it.each([
    ['no body', undefined],
    ['null', null],
    ['a string', 'ann@example.com:secret123'],
    ['an array', ['ann@example.com', 'secret123']],
    ['a missing password', { email: 'ann@example.com' }],
    ['an empty password', { email: 'ann@example.com', password: '' }],
    ['a number', { email: 'ann@example.com', password: 12345678 }],
    ['an object', { email: { $gt: '' }, password: 'secret123' }],
    ['a password over 256 characters', { email: 'ann@example.com', password: 'x'.repeat(257) }],
    [
      'an email over 320 characters',
      { email: `${'a'.repeat(310)}@example.com`, password: 'secret123' },
    ],
  ])('returns null for %s', (_case, body) => {
    expect(readLoginCredentials(body)).toBeNull();
  });
});
