import calculateSlot from 'cluster-key-slot';
import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidSessionOptionsError } from '../errors/invalid-session-options.error.js';
import { resolveSessionOptions } from '../options/resolve-session-options.js';
import {
  addressOfToken,
  generateSessionToken,
  randomShard,
  shardOfUser,
  type ShardTag,
} from '../token/session-token.js';
import { SessionKeys } from './redis-keys.js';

/** A user id of random length and content, including characters that mean something to Redis. */
function randomUserId(i: number): string {
  const awkward = ['{', '}', '{}', ':', ' ', 'é', '\u{1F600}', '*', '?'];
  const extra = awkward[i % awkward.length] ?? '';
  return `${randomUUID()}${extra}${randomBytes(i % 7).toString('base64url')}`;
}

/** Every key one user's operations touch: each session key, the index key, and script-built keys. */
function keysOfOneUser(keys: SessionKeys, userId: string): string[] {
  const shard = shardOfUser(userId);
  const tokens = Array.from({ length: 3 }, () => generateSessionToken(shard));
  const addresses = tokens.map(addressOfToken);
  return [
    keys.userIndex(shard, userId),
    ...addresses.map((address) => keys.session(address)),
    ...addresses.map((address) => keys.sessionKeyPrefix(address.shard) + address.digest),
  ];
}

describe('cluster-key-slot (the oracle these tests rely on)', () => {
  it('agrees with the CLUSTER KEYSLOT examples of the Redis documentation', () => {
    expect(calculateSlot('somekey')).toBe(11058);
    expect(calculateSlot('foo{hash_tag}')).toBe(2515);
    expect(calculateSlot('bar{hash_tag}')).toBe(2515);
  });
});

describe('SessionKeys', () => {
  it('spells the documented key layout', () => {
    const keys = new SessionKeys('sess:');
    const shard = 'Ab' as ShardTag;
    const address = addressOfToken(generateSessionToken(shard));
    expect(keys.session(address)).toBe(`sess:{Ab}:s:${address.digest}`);
    expect(keys.userIndex(shard, 'u-1')).toBe('sess:{Ab}:i:u-1');
    expect(keys.sessionKeyPrefix(shard)).toBe('sess:{Ab}:s:');
  });

  it('builds the same session key from sessionKeyPrefix + digest as from session()', () => {
    const keys = new SessionKeys('app:');
    for (let i = 0; i < 50; i++) {
      const address = addressOfToken(generateSessionToken(randomShard()));
      expect(keys.sessionKeyPrefix(address.shard) + address.digest).toBe(keys.session(address));
    }
  });

  describe.each(['sess:', '', 'shop:prod:', 'a b:'])('with key prefix %j', (prefix) => {
    const keys = new SessionKeys(prefix);

    it("puts a user's sessions, index and script-built keys in one slot (no CROSSSLOT)", () => {
      for (let i = 0; i < 300; i++) {
        const userId = randomUserId(i);
        const userKeys = keysOfOneUser(keys, userId);
        const slots = new Set(userKeys.map((key) => calculateSlot(key)));
        expect({ userId, slots: [...slots] }).toEqual({ userId, slots: [expect.any(Number)] });
        expect(calculateSlot.generateMulti(userKeys)).toBe(
          calculateSlot(`{${shardOfUser(userId)}}`),
        );
      }
    });

    it('puts an anonymous session in the slot of its random shard', () => {
      for (let i = 0; i < 300; i++) {
        const address = addressOfToken(generateSessionToken(randomShard()));
        const slot = calculateSlot(keys.session(address));
        expect(slot).toBe(calculateSlot(keys.sessionKeyPrefix(address.shard) + address.digest));
        expect(slot).toBe(calculateSlot(`{${address.shard}}`));
      }
    });

    it('spreads 200 users over at least 150 slots', () => {
      const slots = new Set(
        Array.from({ length: 200 }, (_, i) => {
          const userId = `user-${i}`;
          return calculateSlot(keys.userIndex(shardOfUser(userId), userId));
        }),
      );
      expect(slots.size).toBeGreaterThanOrEqual(150);
    });
  });

  it('would collapse every key into one slot if the prefix held braces (why options refuse them)', () => {
    const keys = new SessionKeys('app{x}:');
    const slots = new Set(
      Array.from({ length: 50 }, (_, i) => {
        const userId = `user-${i}`;
        return calculateSlot(keys.userIndex(shardOfUser(userId), userId));
      }),
    );
    expect([...slots]).toEqual([calculateSlot('{x}')]);
  });

  it.each(['app{x}:', 'app{:', 'app}:', '{}'])(
    'options refuse the brace-holding prefix %j',
    (keyPrefix) => {
      expect(() =>
        resolveSessionOptions({ redis: { url: 'redis://localhost' }, keyPrefix }),
      ).toThrow(InvalidSessionOptionsError);
    },
  );
});
