import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import {
  observe,
  pollFor,
  startSentinelTopology,
  startTraffic,
  summariseOutcomes,
  waitForReady,
  type Outcome,
  type SentinelTopology,
} from '../../../../test/support/redis-topologies.js';
import { uniquePrefix } from '../../../../test/support/unique-prefix.js';
import { SessionStoreUnavailableError } from '../../src/errors/session-store-unavailable.error.js';
import { resolveSessionOptions } from '../../src/options/resolve-session-options.js';
import { createRedisClient } from '../../src/redis/create-redis-client.js';
import { isRedisUnavailableError } from '../../src/redis/is-redis-unavailable-error.js';
import { RedisSessionStore } from '../../src/store/redis-session.store.js';
import type { StoredSession } from '../../src/store/stored-session.js';
import {
  addressOfToken,
  generatePublicSessionId,
  generateSessionToken,
  shardOfUser,
  type SessionAddress,
} from '../../src/token/session-token.js';

// RELIABILITY.md §5 R4 (primary killed) and R5 (primary hung) over a real Sentinel topology:
// one primary, replicas, three sentinels with down-after 1000 ms.

const MINUTE = 60_000;
const IDLE_MS = 30 * MINUTE;
const ABSOLUTE_MS = 7 * 24 * 60 * MINUTE;
const READ_CLOCK = () => ({ nowMs: Date.now(), idleTimeoutMs: IDLE_MS, touchIntervalMs: MINUTE });

const USERS = 5;
const SESSIONS_PER_USER = 10;
/** Sessions must be this old when the fault hits: asynchronous replication had time to copy them. */
const WRITE_AGE_BEFORE_FAULT_MS = 1_000;
/** commandTimeout (1000 ms) plus headroom: no operation may take longer, failed or not. */
const MAX_OPERATION_MS = 1_500;
const KILL_RECOVERY_BOUND_MS = 8_000;
const HANG_RECOVERY_BOUND_MS = 10_000;

interface CreatedSession {
  readonly address: SessionAddress;
  readonly session: StoredSession;
}

/** Allowed: SessionStoreUnavailableError caused by a connection, timeout or failover error. */
function classifyStoreError(error: unknown) {
  const cause = error instanceof Error ? error.cause : undefined;
  if (error instanceof SessionStoreUnavailableError && isRedisUnavailableError(cause)) {
    return { kind: 'unavailable' as const, detail: cause instanceof Error ? cause.message : '' };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const causeText = cause instanceof Error ? ` (cause: ${cause.message})` : '';
  return { kind: 'unexpected' as const, detail: text + causeText };
}

const isFailure = (o: Outcome) => o.kind === 'unexpected' || o.kind === 'hung';
const isOk = (o: Outcome) => o.kind === 'ok';

/** A store over `createRedisClient({ sentinels, name })` on a fresh topology. */
function sentinelFixture(replicas: 1 | 2) {
  const state: {
    topology?: SentinelTopology;
    client?: Redis;
    store?: RedisSessionStore;
  } = {};

  beforeAll(async () => {
    state.topology = await startSentinelTopology({ replicas });
    const redis = { sentinels: [...state.topology.sentinels], name: state.topology.name };
    const options = resolveSessionOptions({ redis, keyPrefix: uniquePrefix('sentinel') });
    const client = createRedisClient(redis, options) as Redis;
    state.client = client;
    // The module logs one line per outage; here the outcomes of operations tell the story.
    client.on('error', () => undefined);
    await waitForReady(client);
    // As the module builds it (replica acknowledgement off by default).
    state.store = new RedisSessionStore(client, options.keyPrefix, {
      replicaAcknowledgement: options.replicaAcknowledgement,
    });
  });

  afterAll(async () => {
    state.client?.disconnect();
    await state.topology?.stop();
  });

  const get = () => {
    const { topology, client, store } = state;
    if (!topology || !client || !store) throw new Error('sentinel fixture not started');
    return { topology, client, store };
  };

  async function createSessions(): Promise<CreatedSession[]> {
    const { store } = get();
    const users = Array.from({ length: USERS }, (_, i) => `sentinel-user-${i}-${randomUUID()}`);
    const created: CreatedSession[] = [];
    for (const userId of users) {
      for (let i = 0; i < SESSIONS_PER_USER; i++) {
        const nowMs = Date.now();
        const address = addressOfToken(generateSessionToken(shardOfUser(userId)));
        const session: StoredSession = {
          publicId: generatePublicSessionId(),
          userId,
          createdAt: nowMs,
          lastSeenAt: nowMs,
          absoluteExpiresAt: nowMs + ABSOLUTE_MS,
          roles: ['user'],
          elevatedUntil: null,
          device: { ip: '127.0.0.1', userAgent: 'sentinel-spec' },
          rotationDue: false,
          data: { cart: JSON.stringify([`item-${i}`]) },
        };
        const result = await store.create(address, session, {
          ttlMs: IDLE_MS,
          clock: { nowMs, idleTimeoutMs: IDLE_MS },
          limit: { maxSessions: 100, policy: 'evict-least-recently-used' },
        });
        expect(result).toEqual({ status: 'created', evicted: [] });
        created.push({ address, session });
      }
    }
    return created;
  }

  const readFound = (created: CreatedSession) =>
    observe(() => get().store.read(created.address, READ_CLOCK()), {
      isExpected: (result) =>
        result.status === 'found' &&
        result.session.publicId === created.session.publicId &&
        result.session.userId === created.session.userId &&
        result.session.data.cart === created.session.data.cart,
      classifyError: classifyStoreError,
    });

  /**
   * Reads every session until each has been found once; a read may meanwhile be unavailable
   * (retried) but never anything else. Resolves the outcomes of every attempt.
   */
  async function readAllBack(sessions: readonly CreatedSession[], timeoutMs: number) {
    const attempts: Outcome[] = [];
    let remaining = [...sessions];
    await pollFor(
      'every session written before the fault to read back found',
      async () => {
        const outcomes = await Promise.all(remaining.map(readFound));
        attempts.push(...outcomes);
        if (outcomes.some(isFailure)) return false;
        remaining = remaining.filter((_, i) => outcomes[i]?.kind !== 'ok');
        return remaining.length === 0 ? true : undefined;
      },
      timeoutMs,
    );
    return attempts;
  }

  /**
   * Writes sessions, runs steady read traffic, injects `fault` once the sessions are
   * WRITE_AGE_BEFORE_FAULT_MS old, and waits (at most `boundMs` each) for Sentinel to promote
   * another node and for a read started after the fault to succeed. Traffic runs 300 ms more.
   */
  async function failoverUnderTraffic(fault: () => void, boundMs: number) {
    const { topology } = get();
    const sessions = await createSessions();
    const writtenAt = performance.now();
    const fromPort = await topology.currentPrimaryPort();
    expect(fromPort).toBe(topology.primary.port);

    const traffic = startTraffic((i) => readFound(sessions[i % sessions.length]!));
    try {
      // The sessions must be this old when the fault hits: a wait for an age, not for readiness.
      await sleep(Math.max(0, WRITE_AGE_BEFORE_FAULT_MS - (performance.now() - writtenAt)));
      const faultAt = performance.now();
      fault();
      const newPrimaryPort = await topology.waitForFailover(fromPort, boundMs);
      const sentinelFailoverMs = performance.now() - faultAt;
      const firstOk = await pollFor(
        'a read started after the fault to succeed',
        () => Promise.resolve(traffic.firstStartedAfter(faultAt, isOk)),
        boundMs,
      );
      await sleep(300);
      const outcomes = await traffic.stop();
      const during = outcomes.filter((o) => o.startedAt >= faultAt);
      const afterRecovery = outcomes.filter((o) => o.startedAt > firstOk.startedAt);
      return {
        sessions,
        newPrimaryPort,
        sentinelFailoverMs,
        recoveryMs: firstOk.startedAt + firstOk.ms - faultAt,
        /** Settled before the fault. */
        before: outcomes.filter((o) => o.startedAt + o.ms < faultAt),
        during,
        afterRecovery,
        outcomes,
      };
    } finally {
      // Idempotent: after a failed wait it stops the traffic before the test reports.
      await traffic.stop();
    }
  }

  return { get, readAllBack, failoverUnderTraffic };
}

type FailoverRun = Awaited<ReturnType<ReturnType<typeof sentinelFixture>['failoverUnderTraffic']>>;

function report(label: string, run: FailoverRun) {
  console.info(
    `${label}: sentinels switched after ${Math.round(run.sentinelFailoverMs)} ms; ` +
      `first successful read ${Math.round(run.recoveryMs)} ms after the fault; ` +
      `failures after that: ${run.afterRecovery.filter((o) => !isOk(o)).length}; ` +
      `operations from the fault on: ${JSON.stringify(summariseOutcomes(run.during))}`,
  );
}

describe('RedisSessionStore over Redis Sentinel', () => {
  describe('primary killed with SIGKILL (R4; 1 primary, 2 replicas, 3 sentinels)', () => {
    const fixture = sentinelFixture(2);

    it('only answers or fails fast during the failover, serves again within 8 s, and loses no session written 1 s before', async () => {
      const { topology } = fixture.get();
      const run = await fixture.failoverUnderTraffic(
        () => topology.primary.kill('SIGKILL'),
        KILL_RECOVERY_BOUND_MS,
      );
      report('SIGKILL', run);

      expect(topology.replicas.map((r) => r.port)).toContain(run.newPrimaryPort);
      expect(run.before.length).toBeGreaterThan(10);
      expect(run.before.filter((o) => !isOk(o))).toEqual([]);
      expect(run.outcomes.filter(isFailure)).toEqual([]);
      expect(Math.max(...run.outcomes.map((o) => o.ms))).toBeLessThanOrEqual(MAX_OPERATION_MS);
      expect(run.recoveryMs).toBeLessThanOrEqual(KILL_RECOVERY_BOUND_MS);

      const readBack = await fixture.readAllBack(run.sessions, 3_000);
      expect(readBack.filter(isFailure)).toEqual([]);
    }, 30_000);
  });

  describe('primary hung with SIGSTOP (R5; 1 primary, 1 replica, 3 sentinels)', () => {
    const fixture = sentinelFixture(1);

    it('fails fast while the primary hangs and serves again from the promoted replica within 10 s', async () => {
      const { topology } = fixture.get();
      let run: FailoverRun;
      try {
        run = await fixture.failoverUnderTraffic(
          () => topology.primary.kill('SIGSTOP'),
          HANG_RECOVERY_BOUND_MS,
        );
        report('SIGSTOP', run);

        expect(run.newPrimaryPort).toBe(topology.replicas[0]?.port);
        expect(run.before.length).toBeGreaterThan(10);
        expect(run.before.filter((o) => !isOk(o))).toEqual([]);
        expect(run.outcomes.filter(isFailure)).toEqual([]);
        expect(Math.max(...run.outcomes.map((o) => o.ms))).toBeLessThanOrEqual(MAX_OPERATION_MS);
        expect(run.recoveryMs).toBeLessThanOrEqual(HANG_RECOVERY_BOUND_MS);
      } finally {
        // Resume it even when an assertion failed (stop() would too, later).
        topology.primary.kill('SIGCONT');
      }

      // The resumed old primary is demoted by Sentinel; the client stays on the new one.
      const readBack = await fixture.readAllBack(run.sessions, 3_000);
      expect(readBack.filter(isFailure)).toEqual([]);
    }, 30_000);
  });
});
