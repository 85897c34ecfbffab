import { readPasswordConfirmation } from './password-confirmation.js';

describe('readPasswordConfirmation', () => {
  it('returns the password of a well-formed body', () => {
    expect(readPasswordConfirmation({ password: 'secret123', extra: 1 })).toBe('secret123');
  });

  it.each([
    ['no body', undefined],
    ['null', null],
    ['a string', 'secret123'],
    ['a missing password', {}],
    ['an empty password', { password: '' }],
    ['a number', { password: 12345678 }],
    ['an array', { password: ['secret123'] }],
    ['a password over 256 characters', { password: 'x'.repeat(257) }],
  ])('returns null for %s', (_case, body) => {
    expect(readPasswordConfirmation(body)).toBeNull();
  });
});
