import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  pollFor,
  startSentinelTopology,
  waitForReady,
  type SentinelTopology,
} from '../../../../test/support/redis-topologies.js';
import { uniquePrefix } from '../../../../test/support/unique-prefix.js';
import { SessionStoreUnavailableError } from '../../src/errors/session-store-unavailable.error.js';
import { resolveSessionOptions } from '../../src/options/resolve-session-options.js';
import { createRedisClient } from '../../src/redis/create-redis-client.js';
import { RedisSessionStore } from '../../src/store/redis-session.store.js';
import type { StoredSession } from '../../src/store/stored-session.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  shardOfUser,
  type SessionAddress,
} from '../../src/token/session-token.js';

// RELIABILITY.md §5 R6: a primary paused (SIGSTOP) long enough for Sentinel to replace it, then
// resumed. Without ioredis's failover detector the client kept writing to the resumed old
// primary, which acknowledged writes that vanished when it became a replica (311 lost in the
// measurement). With the module's settings, every acknowledged login must survive.

const IDLE_MS = 30 * 60_000;
const WRITE_INTERVAL_MS = 20;
const MAX_WRITES = 3_000;

interface Acknowledged {
  readonly address: SessionAddress;
  readonly session: StoredSession;
}

describe('Redis Sentinel primary paused and resumed (R6)', () => {
  let topology: SentinelTopology;
  let client: Redis;
  let store: RedisSessionStore;

  beforeAll(async () => {
    topology = await startSentinelTopology({ replicas: 1 });
    const redis = { sentinels: [...topology.sentinels], name: topology.name };
    const options = resolveSessionOptions({ redis, keyPrefix: uniquePrefix('pause') });
    client = createRedisClient(redis, options) as Redis;
    client.on('error', () => undefined);
    await waitForReady(client);
    store = new RedisSessionStore(client, options.keyPrefix);
  });
  afterAll(async () => {
    topology?.primary.kill('SIGCONT');
    client?.disconnect();
    await topology?.stop();
  });

  function newLogin(): Acknowledged {
    const userId = `pause-${randomUUID()}`;
    const nowMs = Date.now();
    return {
      address: addressOfToken(generateSessionToken(shardOfUser(userId))),
      session: {
        publicId: generatePublicSessionId(),
        userId,
        createdAt: nowMs,
        lastSeenAt: nowMs,
        absoluteExpiresAt: nowMs + 3_600_000,
        roles: ['user'],
        elevatedUntil: null,
        device: null,
        rotationDue: false,
        data: {},
      },
    };
  }

  it('loses no acknowledged login across the pause, the failover and the resume', async () => {
    const acknowledged: Acknowledged[] = [];
    const unexpected: unknown[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < MAX_WRITES; i++) {
        const login = newLogin();
        try {
          const result = await store.create(login.address, login.session, {
            ttlMs: IDLE_MS,
            clock: { nowMs: Date.now(), idleTimeoutMs: IDLE_MS },
          });
          if (result.status === 'created') acknowledged.push(login);
        } catch (error) {
          if (!(error instanceof SessionStoreUnavailableError)) unexpected.push(error);
        }
        await sleep(WRITE_INTERVAL_MS);
      }
    })();

    const oldPrimary = topology.primary;
    try {
      await sleep(1_000);
      const before = acknowledged.length;
      oldPrimary.kill('SIGSTOP');
      await topology.waitForFailover(oldPrimary.port, 10_000);
      await sleep(1_000);
      oldPrimary.kill('SIGCONT');
      // Sentinel turns the resumed old primary into a replica of the new one.
      const probe = new Redis(oldPrimary.port, '127.0.0.1', {
        commandTimeout: 500,
        maxRetriesPerRequest: 0,
      });
      probe.on('error', () => undefined);
      try {
        await pollFor(
          'the resumed old primary to become a replica',
          async () =>
            ((await probe.call('ROLE').catch(() => ['unknown'])) as string[])[0] === 'slave' ||
            undefined,
          20_000,
        );
      } finally {
        probe.disconnect();
      }
      await sleep(500);
      writing = false;
      await writer;
      expect(before).toBeGreaterThan(10);
      expect(acknowledged.length).toBeGreaterThan(before);
    } finally {
      writing = false;
      oldPrimary.kill('SIGCONT');
      await writer;
    }

    expect(unexpected).toEqual([]);
    const lost: string[] = [];
    for (const login of acknowledged) {
      const result = await store.read(login.address, {
        nowMs: Date.now(),
        idleTimeoutMs: IDLE_MS,
        touchIntervalMs: 60_000,
      });
      if (result.status !== 'found') lost.push(login.session.publicId);
    }
    console.info(`R6: ${acknowledged.length} logins acknowledged, ${lost.length} lost`);
    expect(lost).toEqual([]);
  }, 60_000);
});
