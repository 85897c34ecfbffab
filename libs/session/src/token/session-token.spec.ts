import { createHash } from 'node:crypto';
import {
  addressOfToken,
  digestSessionToken,
  generatePublicSessionId,
  generateSessionToken,
  parseSessionToken,
  randomShard,
  shardOfUser,
  type SessionToken,
  type ShardTag,
} from './session-token.js';

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const SHARD_SHAPE = /^[A-Za-z0-9_-]{2}$/;
const shard = (tag: string): ShardTag => tag as ShardTag;

function independentDigest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

describe('generateSessionToken', () => {
  it('makes 43 base64url characters that decode to 32 bytes', () => {
    for (let i = 0; i < 100; i++) {
      const token = generateSessionToken(randomShard());
      expect(token).toMatch(TOKEN_SHAPE);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
  });

  it('starts with the given shard tag', () => {
    expect(generateSessionToken(shard('Zq')).slice(0, 2)).toBe('Zq');
    expect(generateSessionToken(shard('-_')).slice(0, 2)).toBe('-_');
  });

  it('makes 1000 distinct tokens for one shard', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateSessionToken(shard('ab'))));
    expect(tokens.size).toBe(1000);
  });

  it('makes tokens that parseSessionToken accepts', () => {
    const token = generateSessionToken(randomShard());
    expect(parseSessionToken(token)).toBe(token);
  });
});

describe('parseSessionToken', () => {
  const valid = generateSessionToken(shard('Ab'));

  it('accepts a well-formed token unchanged', () => {
    expect(parseSessionToken(valid)).toBe(valid);
    expect(parseSessionToken('A'.repeat(43))).toBe('A'.repeat(43));
    expect(parseSessionToken('-_'.repeat(21) + 'z')).toBe('-_'.repeat(21) + 'z');
  });

  it.each([
    ['undefined', undefined],
    ['the empty string', ''],
    ['42 characters', 'A'.repeat(42)],
    ['44 characters', 'A'.repeat(44)],
    ['base64 padding "="', 'A'.repeat(42) + '='],
    ['standard base64 "+"', 'A'.repeat(42) + '+'],
    ['standard base64 "/"', '/' + 'A'.repeat(42)],
    ['a dot', 'A'.repeat(21) + '.' + 'A'.repeat(21)],
    ['a space', 'A'.repeat(21) + ' ' + 'A'.repeat(21)],
    ['a leading space', ' ' + 'A'.repeat(42)],
    ['a trailing newline', 'A'.repeat(43) + '\n'],
    ['a non-ASCII letter', 'é' + 'A'.repeat(42)],
    ['a full-width digit', '１' + 'A'.repeat(42)],
    ['a %-encoded character', '%41' + 'A'.repeat(40)],
    ['double quotes around a valid token', `"${'A'.repeat(43)}"`],
    ['double quotes inside 43 characters', `"${'A'.repeat(41)}"`],
  ])('rejects %s', (_label, raw) => {
    expect(parseSessionToken(raw)).toBeNull();
  });
});

describe('digestSessionToken', () => {
  it('is the base64url SHA-256 of the token', () => {
    const token = generateSessionToken(randomShard());
    expect(digestSessionToken(token)).toBe(independentDigest(token));
  });

  it('matches a fixed test vector', () => {
    // printf 'A%.0s' {1..43} | openssl dgst -sha256 -binary | basenc --base64url
    const token = 'A'.repeat(43) as SessionToken;
    expect(digestSessionToken(token)).toBe('DwBzhbb51LfusnSGBa_hqYSgo7-j8BTQnip4TOnlzRo');
  });

  it('never contains the token or its first half', () => {
    for (let i = 0; i < 200; i++) {
      const token = generateSessionToken(randomShard());
      const digest = digestSessionToken(token);
      expect(digest).not.toContain(token);
      expect(digest).not.toContain(token.slice(0, 21));
    }
  });

  it('gives different digests for tokens that differ in one character', () => {
    const a = 'A'.repeat(43) as SessionToken;
    const b = ('A'.repeat(42) + 'B') as SessionToken;
    expect(digestSessionToken(a)).not.toBe(digestSessionToken(b));
  });
});

describe('addressOfToken', () => {
  it('uses the first two characters as the shard and the digest of the whole token', () => {
    const token = generateSessionToken(shard('x9'));
    expect(addressOfToken(token)).toEqual({ shard: 'x9', digest: independentDigest(token) });
  });
});

describe('shardOfUser', () => {
  it('is two base64url characters taken from the SHA-256 of the user id', () => {
    for (const userId of ['u1', 'alice@example.com', 'ü', '']) {
      expect(shardOfUser(userId)).toMatch(SHARD_SHAPE);
      expect(shardOfUser(userId)).toBe(independentDigest(userId).slice(0, 2));
    }
  });

  it('is the same on every call for one user', () => {
    expect(shardOfUser('user-42')).toBe(shardOfUser('user-42'));
  });

  it('spreads users over many shards', () => {
    const shards = new Set(Array.from({ length: 500 }, (_, i) => shardOfUser(`user-${i}`)));
    expect(shards.size).toBeGreaterThan(400);
  });
});

describe('randomShard', () => {
  it('is two base64url characters and varies', () => {
    const shards = Array.from({ length: 200 }, () => randomShard());
    for (const tag of shards) expect(tag).toMatch(SHARD_SHAPE);
    expect(new Set(shards).size).toBeGreaterThan(150);
  });
});

describe('generatePublicSessionId', () => {
  it('is 16 base64url characters (12 random bytes)', () => {
    const id = generatePublicSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(12);
  });

  it('is distinct across calls', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generatePublicSessionId()));
    expect(ids.size).toBe(1000);
  });

  it('does not reveal the token, its digest or its shard-free part', () => {
    for (let i = 0; i < 100; i++) {
      const token = generateSessionToken(randomShard());
      const id = generatePublicSessionId();
      expect(token).not.toContain(id);
      expect(digestSessionToken(token)).not.toContain(id);
      expect(id).not.toContain(token.slice(2, 12));
    }
  });
});
