import { createHmac } from 'node:crypto';
import type { TokenDigest } from '../token/session-token.js';
import { generateCsrfSecret, issueCsrfToken, verifyCsrfToken } from './csrf-token.js';

const digest = 'digest-of-the-session-token' as TokenDigest;
const otherDigest = 'digest-after-a-rotation' as TokenDigest;

describe('synchronizer (CSRF) token', () => {
  const secret = generateCsrfSecret();

  it('keeps a 16-byte secret in 22 base64url characters (one short hash field)', () => {
    expect(secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(generateCsrfSecret()).not.toBe(secret);
  });

  it('accepts a token issued for the same secret and session digest', () => {
    expect(verifyCsrfToken(issueCsrfToken(secret, digest), secret, digest)).toBe(true);
  });

  it('masks every issue differently (BREACH), and accepts each of them', () => {
    const tokens = Array.from({ length: 20 }, () => issueCsrfToken(secret, digest));
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens) expect(verifyCsrfToken(token, secret, digest)).toBe(true);
  });

  it('never contains the secret', () => {
    const token = issueCsrfToken(secret, digest);
    expect(token).not.toContain(secret);
    expect(Buffer.from(token, 'base64url').includes(Buffer.from(secret))).toBe(false);
  });

  it('stays valid when the session token rotates: bound to the session secret, not the digest', () => {
    expect(verifyCsrfToken(issueCsrfToken(secret, digest), secret, otherDigest)).toBe(true);
  });

  it('binds a session without a secret (stored before the option was on) to its token digest', () => {
    expect(verifyCsrfToken(issueCsrfToken('', digest), '', digest)).toBe(true);
    expect(verifyCsrfToken(issueCsrfToken('', digest), '', otherDigest)).toBe(false);
  });

  it("refuses a token of another session's secret", () => {
    expect(verifyCsrfToken(issueCsrfToken(generateCsrfSecret(), digest), secret, digest)).toBe(
      false,
    );
  });

  it('refuses the unmasked HMAC, and the secret itself', () => {
    const bound = createHmac('sha256', secret).update('csrf').digest('base64url');
    expect(verifyCsrfToken(bound, secret, digest)).toBe(false);
    expect(verifyCsrfToken(secret, secret, digest)).toBe(false);
  });

  it('refuses a token with any single character changed', () => {
    const token = issueCsrfToken(secret, digest);
    // The last character also holds 4 padding bits, so only the first 85 are checked one by one.
    for (let i = 0; i < token.length - 1; i++) {
      const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(verifyCsrfToken(changed, secret, digest)).toBe(false);
    }
  });

  it.each([
    ['no header', undefined],
    ['an empty value', ''],
    ['a truncated token', 'x'.repeat(85)],
    ['a token too long', 'x'.repeat(87)],
    ['characters outside base64url', `${'x'.repeat(85)}=`],
    ['two values joined (a repeated header)', 'a'.repeat(40) + '; ' + 'b'.repeat(44)],
    ['non-ASCII', 'é'.repeat(86)],
  ])('refuses %s before comparing', (_case, candidate) => {
    expect(verifyCsrfToken(candidate, secret, digest)).toBe(false);
  });
});
