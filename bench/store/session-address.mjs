import { createHash, randomBytes } from 'node:crypto';

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

/**
 * A new token for a session of `userId`, as the library makes one: 32 random bytes in base64url
 * whose first two characters are the user's shard (the first two of SHA-256(user id)).
 */
export function newTokenOfUser(userId) {
  const shard = createHash('sha256').update(userId).digest('base64url').slice(0, 2);
  return shard + randomBytes(32).toString('base64url').slice(2);
}
