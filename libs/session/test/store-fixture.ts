import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisSessionStore } from 'nest-redis-session';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  randomShard,
  shardOfUser,
  type SessionAddress,
  type SessionToken,
} from '../src/token/session-token.js';
import type { StoredSession } from '../src/store/stored-session.js';

/** A RedisSessionStore on the run's own redis-server, in a key namespace of its own. */
export function createStoreFixture(label: string) {
  const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  const prefix = uniquePrefix(label);
  // No grace: these tests assert exact TTLs and keys that Redis itself drops.
  const store = new RedisSessionStore(client, prefix, { expiryGraceMs: 0 });

  function newAddress(userId: string | null = null): {
    token: SessionToken;
    address: SessionAddress;
  } {
    const token = generateSessionToken(userId === null ? randomShard() : shardOfUser(userId));
    return { token, address: addressOfToken(token) };
  }

  function storedSession(
    userId: string | null,
    nowMs: number,
    absoluteTimeoutMs: number,
    data: Record<string, string> = {},
  ): StoredSession {
    return {
      publicId: generatePublicSessionId(),
      userId,
      createdAt: nowMs,
      lastSeenAt: nowMs,
      absoluteExpiresAt: nowMs + absoluteTimeoutMs,
      roles: userId === null ? [] : ['user'],
      elevatedUntil: null,
      device: { ip: '127.0.0.1', userAgent: 'store-test' },
      rotationDue: false,
      data,
    };
  }

  /** Every key and value this fixture's store wrote, for digest-at-rest checks. */
  async function dump(): Promise<string> {
    const keys = await client.keys(`${prefix}*`);
    const parts: string[] = [...keys];
    for (const key of keys) {
      const type = await client.type(key);
      if (type === 'hash') parts.push(...Object.entries(await client.hgetall(key)).flat());
    }
    return parts.join('\n');
  }

  /** Create options for a TTL, with the idle window long enough not to interfere. */
  function createOptions(ttlMs: number, nowMs = Date.now()) {
    return { ttlMs, clock: { nowMs, idleTimeoutMs: 30 * 60_000 } };
  }

  return {
    client,
    prefix,
    store,
    newAddress,
    storedSession,
    createOptions,
    dump,
    close: () => client.quit(),
  };
}
