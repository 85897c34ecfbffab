import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenDigest } from '../token/session-token.js';

/*
 * The synchronizer token. Each session keeps a random secret in its own Redis hash; the secret
 * never leaves the server. What pages get is derived from it:
 *
 *   bound  = HMAC-SHA256(secret, "csrf")
 *   token  = base64url(mask || mask XOR bound), with a fresh 32-byte mask on every read
 *
 * The secret is the session's own and is new with every login (a new session), so the token is
 * per session: it stays valid across the session's token rotations. It must: a rotation the
 * server schedules (a role change) happens while answering, after the handler rendered the
 * token, and requests already in flight with the old cookie are forwarded to the rotated
 * session; a token bound to the cookie would be refused in both. Masked, it differs on every
 * page, so a compressed response that also reflects attacker input (BREACH) leaks nothing stable
 * to guess byte by byte. Any masked form of the bound value is accepted.
 *
 * A session stored before the option was on has no secret (empty): its binding is the digest of
 * its session token, which is never sent anywhere, so it is still unknown to other sites.
 */

const SECRET_BYTES = 16;
const BOUND_BYTES = 32;
// 64 bytes (mask and masked value) in base64url without padding.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** A new per-session secret: 16 CSPRNG bytes, 22 base64url characters. */
export function generateCsrfSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** A freshly masked token for the session stored at `digest`. */
export function issueCsrfToken(secret: string, digest: TokenDigest): string {
  const mask = randomBytes(BOUND_BYTES);
  return Buffer.concat([mask, xor(mask, bind(secret, digest))]).toString('base64url');
}

/**
 * Whether `candidate` is a masked form of the session's current token. Its shape is checked
 * first (the length of a token is no secret); the values are compared in constant time.
 */
export function verifyCsrfToken(
  candidate: string | undefined,
  secret: string,
  digest: TokenDigest,
): boolean {
  if (candidate === undefined || !TOKEN_PATTERN.test(candidate)) return false;
  const bytes = Buffer.from(candidate, 'base64url');
  const unmasked = xor(bytes.subarray(0, BOUND_BYTES), bytes.subarray(BOUND_BYTES));
  return timingSafeEqual(unmasked, bind(secret, digest));
}

function bind(secret: string, digest: TokenDigest): Buffer {
  const message = secret === '' ? `csrf:${digest}` : 'csrf';
  return createHmac('sha256', secret).update(message).digest();
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(BOUND_BYTES);
  for (let i = 0; i < BOUND_BYTES; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}
