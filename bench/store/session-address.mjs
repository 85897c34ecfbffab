import { createHash } from 'node:crypto';

/**
 * Where the session of a cookie token lives, per the library's README ("Tokens and what Redis
 * holds"): the shard is the token's first two characters, the key carries SHA-256(token) in
 * base64url. Only the benchmark needs this: it reads a session without going through HTTP.
 */
export function addressOfToken(token) {
  return {
    shard: token.slice(0, 2),
    digest: createHash('sha256').update(token).digest('base64url'),
  };
}

export function sessionKeyOf(prefix, token) {
  const { shard, digest } = addressOfToken(token);
  return `${prefix}{${shard}}:s:${digest}`;
}
