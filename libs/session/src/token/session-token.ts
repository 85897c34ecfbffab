import { hash, randomBytes } from 'node:crypto';

/** A session token as sent in the cookie. Never stored, never logged. */
export type SessionToken = string & { readonly __brand: 'SessionToken' };

/** SHA-256 of a token: the only form of it Redis ever sees. */
export type TokenDigest = string & { readonly __brand: 'TokenDigest' };

/**
 * Two base64url characters (12 bits) that pick the Redis Cluster hash slot of a session.
 * Every session of one user carries the user's shard, so a user's sessions and index share
 * a slot and can be changed by one script; an anonymous session gets a random shard.
 */
export type ShardTag = string & { readonly __brand: 'ShardTag' };

/** Where a session lives: enough to build its Redis key without the token. */
export interface SessionAddress {
  readonly shard: ShardTag;
  readonly digest: TokenDigest;
}

const TOKEN_BYTES = 32;
const SHARD_CHARS = 2;
// 32 bytes in base64url without padding: 43 characters.
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new token: 32 bytes from the CSPRNG, base64url. Its first two characters are replaced by
 * the shard tag, leaving 244 bits of entropy (far above the 128 that OWASP asks for) while the
 * token alone still tells which hash slot holds the session: one round trip per read.
 */
export function generateSessionToken(shard: ShardTag): SessionToken {
  const random = randomBytes(TOKEN_BYTES).toString('base64url');
  return (shard + random.slice(SHARD_CHARS)) as SessionToken;
}

/** A token if `raw` has the exact shape of one, otherwise `null`: no Redis call for garbage. */
export function parseSessionToken(raw: string | undefined): SessionToken | null {
  return raw !== undefined && TOKEN_PATTERN.test(raw) ? (raw as SessionToken) : null;
}

/**
 * Plain SHA-256 suffices: the token has 244 random bits, so a digest cannot be inverted or
 * brute-forced, and a key would only add a secret to manage and rotate.
 */
export function digestSessionToken(token: SessionToken): TokenDigest {
  // One-shot hash: every request with a cookie pays this, and it skips the Hash object.
  return hash('sha256', token, 'base64url') as TokenDigest;
}

export function addressOfToken(token: SessionToken): SessionAddress {
  return { shard: token.slice(0, SHARD_CHARS) as ShardTag, digest: digestSessionToken(token) };
}

/** The fixed shard of a user: a hash of the id, so any app instance computes the same one. */
export function shardOfUser(userId: string): ShardTag {
  return hash('sha256', userId, 'base64url').slice(0, SHARD_CHARS) as ShardTag;
}

export function randomShard(): ShardTag {
  return randomBytes(SHARD_CHARS).toString('base64url').slice(0, SHARD_CHARS) as ShardTag;
}

/**
 * Public session id: random, unrelated to the token, safe to show and log. 96 bits keep it
 * unique (it is a name, not a secret) in 16 characters: it is stored twice per session (the
 * session hash and the user's index), so every character counts in the bytes per session.
 */
export function generatePublicSessionId(): string {
  return randomBytes(12).toString('base64url');
}
