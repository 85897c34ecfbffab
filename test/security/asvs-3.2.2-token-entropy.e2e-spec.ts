import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { inject } from 'vitest';
import { logIn, signUp } from '../support/auth-requests.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';
import { TOKEN } from '../support/expected-responses.js';

// ASVS 4.0.3 3.2.2: session tokens have at least 64 bits of entropy (RELIABILITY S1). Ours:
// 32 CSPRNG bytes in base64url (43 characters), of which the first 12 bits are a shard tag
// (the same for every session of one user), which leaves 244 random bits.

const LOGINS = 200;
const USERS = 4;
const CONCURRENCY = 8;
/** Characters 2.. of a token: past the 12-bit shard tag (two base64url characters). */
const RANDOM_PART_START = 2;

/** The bits of a token's random part (244 of them), as 0/1 numbers. */
function randomBits(token: string): number[] {
  const bytes = Buffer.from(token, 'base64url');
  const bits: number[] = [];
  for (let bit = RANDOM_PART_START * 6; bit < 256; bit++) {
    bits.push(((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
  }
  return bits;
}

describe('ASVS 3.2.2: session token entropy', () => {
  const keyPrefix = uniquePrefix('asvs-3.2.2');
  let app: INestApplication;
  let server: Server;
  const tokens: string[] = [];
  const ownerOf = new Map<string, number>();

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix });
    server = app.getHttpServer();
    for (let user = 0; user < USERS; user++) await signUp(server, `user${user}@example.com`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < LOGINS) {
        const user = next++ % USERS;
        const token = await logIn(server, `user${user}@example.com`);
        tokens.push(token);
        ownerOf.set(token, user);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it(`issues ${LOGINS} tokens of 43 base64url characters, all distinct`, () => {
    expect(tokens).toHaveLength(LOGINS);
    for (const token of tokens) expect(token).toMatch(TOKEN);
    expect(new Set(tokens).size).toBe(LOGINS);
  });

  it('each token decodes to exactly 32 bytes, and is their canonical encoding', () => {
    for (const token of tokens) {
      const bytes = Buffer.from(token, 'base64url');
      expect(bytes).toHaveLength(32);
      expect(bytes.toString('base64url')).toBe(token);
    }
  });

  it('shares nothing between tokens beyond the 12-bit shard tag of their user', () => {
    const randomParts = tokens.map((token) => token.slice(RANDOM_PART_START));
    expect(new Set(randomParts).size).toBe(LOGINS);
    // No two random parts start alike for more than a few characters (8 characters = 48 bits).
    expect(new Set(randomParts.map((part) => part.slice(0, 8))).size).toBe(LOGINS);
    // The tag is per user: one value for each user's tokens.
    for (let user = 0; user < USERS; user++) {
      const tags = tokens.filter((token) => ownerOf.get(token) === user).map((t) => t.slice(0, 2));
      expect(new Set(tags).size).toBe(1);
    }
  });

  it('has random bits that look uniform: about half ones overall and at every position', () => {
    const matrix = tokens.map(randomBits);
    const bitCount = matrix[0]?.length ?? 0;
    expect(bitCount).toBe(244);

    const ones = matrix.flat().reduce((sum, bit) => sum + bit, 0);
    const total = LOGINS * bitCount;
    // Binomial(48 800, 1/2): standard deviation ~110; allow 6 sigma.
    expect(Math.abs(ones - total / 2)).toBeLessThan(6 * Math.sqrt(total / 4));

    // Per bit position over 200 tokens: sd ~7.1; 6 sigma keeps the false-failure rate negligible
    // over 244 positions while catching a stuck or strongly biased bit.
    for (let position = 0; position < bitCount; position++) {
      const column = matrix.reduce((sum, bits) => sum + (bits[position] ?? 0), 0);
      expect(Math.abs(column - LOGINS / 2)).toBeLessThan(6 * Math.sqrt(LOGINS / 4));
    }
  });
});
