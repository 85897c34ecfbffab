import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { RedisTopology } from '../src/config/app-config.js';
import { logInSession, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import { firstAnswerAfterUnavailable, observeHttp } from './support/http-outcomes.js';
import { startListeningApp } from './support/listening-app.js';
import {
  pollFor,
  queryNode,
  startClusterTopology,
  startTraffic,
  summariseOutcomes,
  type ClusterTopology,
  type Outcome,
} from './support/redis-topologies.js';
import { uniquePrefix } from './support/unique-prefix.js';
import { TOKEN } from './support/expected-responses.js';

// The sample app on a real Redis Cluster (REDIS_CLUSTER_NODES; 3 primaries + 3 replicas,
// cluster-node-timeout 1000 ms, cluster-require-full-coverage no): every route on users spread
// over several shards (RELIABILITY.md R9), two app instances (R13), one primary killed (R8).

const ADMIN_EMAIL = 'root@example.com';
const NEW_PASSWORD = 'a brand new passphrase';
const USERS = 6;
/** Extra signups allowed when the first six land on one shard (chance ~0.4 %). */
const MAX_SIGNUPS = 12;
const SESSION_AGE_BEFORE_KILL_MS = 1_000;
const RECOVERY_BOUND_MS = 8_000;
/**
 * No request may take longer, answered or failed. Above Sentinel's 1.5 s: on a closed
 * connection the Cluster client retries every retryDelayOnFailover (100 ms) up to
 * maxRedirections (16) times to ride out a failover before failing.
 */
const MAX_REQUEST_MS = 2_500;

interface ClusterUser {
  readonly email: string;
  readonly id: string;
  /** The first two characters of every token of the user: the hash tag of its session keys. */
  readonly shardTag: string;
  readonly slot: number;
  /** Port of the primary that served the user's slot at login. */
  readonly primaryPort: number;
  /** The session logged in on instance A before the tests. */
  readonly laptop: { token: string; sessionId: string };
}

const cookie = (token: string) => `sid=${token}`;
const isOk = (o: Outcome) => o.kind === 'ok';
const isNeitherOkNorUnavailable = (o: Outcome) => o.kind !== 'ok' && o.kind !== 'unavailable';

describe('the app on a Redis Cluster (REDIS_CLUSTER_NODES; 3 primaries + 3 replicas)', () => {
  const keyPrefix = uniquePrefix('cluster');
  let topology: ClusterTopology;
  /** Two instances of the app on the same Cluster and prefix, as behind a load balancer. */
  let instanceA: INestApplication;
  let instanceB: INestApplication;
  let a: Server;
  let b: Server;
  let users: ClusterUser[];
  /** An elevated session of the admin (ADMIN_EMAIL), on instance A. */
  let adminToken: string;

  /** The user's session index, as the library's README lays it out. */
  const indexKey = (user: Pick<ClusterUser, 'shardTag' | 'id'>) =>
    `${keyPrefix}sess:{${user.shardTag}}:i:${user.id}`;

  async function signUpOnTheCluster(email: string): Promise<ClusterUser> {
    const { id } = await signUp(a, email);
    const laptop = await logInSession(a, email);
    const shardTag = laptop.token.slice(0, 2);
    const slot = await topology.keySlot(`${keyPrefix}sess:{${shardTag}}:s:x`);
    const primaryPort = (await topology.primaryForSlot(slot)).port;
    return { email, id, shardTag, slot, primaryPort, laptop };
  }

  /** `USERS` of the signed-up users, at least two of them on different primaries; undefined if not yet possible. */
  function spreadOver2Primaries(candidates: readonly ClusterUser[]): ClusterUser[] | undefined {
    if (candidates.length < USERS) return undefined;
    const [first] = candidates;
    const other = candidates.find((user) => user.primaryPort !== first?.primaryPort);
    if (other === undefined) return undefined;
    return [...candidates.filter((user) => user !== other).slice(0, USERS - 1), other];
  }

  beforeAll(async () => {
    topology = await startClusterTopology();
    const redis: RedisTopology = {
      kind: 'cluster',
      nodes: topology.nodes.map(({ host, port }) => ({ host, port })),
    };
    const settings = { redis, keyPrefix, adminEmail: ADMIN_EMAIL };
    instanceA = await startListeningApp(settings);
    instanceB = await startListeningApp(settings);
    a = instanceA.getHttpServer();
    b = instanceB.getHttpServer();

    await signUp(a, ADMIN_EMAIL);
    const admin = await logInSession(a, ADMIN_EMAIL);
    const elevated = await request(a)
      .post('/auth/elevate')
      .set('Cookie', cookie(admin.token))
      .send({ password: TEST_PASSWORD });
    expect(elevated.status).toBe(200);
    adminToken = findSessionCookie(elevated)?.value ?? '';

    // argon2 makes each signup and login cost ~0.2 s: six users, more only if they share a shard.
    const candidates: ClusterUser[] = [];
    let spread: ClusterUser[] | undefined;
    for (let i = 0; spread === undefined && i < MAX_SIGNUPS; i++) {
      candidates.push(await signUpOnTheCluster(`user-${i}@example.com`));
      spread = spreadOver2Primaries(candidates);
    }
    if (spread === undefined) {
      throw new Error(`${MAX_SIGNUPS} signups all landed on one primary`);
    }
    users = spread;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([instanceA?.close(), instanceB?.close()]);
    await topology?.stop();
  });

  const me = (server: Server, token: string) =>
    request(server).get('/me').set('Cookie', cookie(token));
  const userAt = (index: number): ClusterUser => {
    const user = users[index];
    if (user === undefined) throw new Error(`no user ${index}`);
    return user;
  };

  it('spreads the users over at least two shards, each user on one hash slot that its primary holds', async () => {
    const primaries = new Set(users.map((user) => user.primaryPort));
    console.info(
      `cluster: ${users.length} users on primaries ${JSON.stringify(users.map((u) => u.primaryPort))} ` +
        `(slots ${JSON.stringify(users.map((u) => u.slot))})`,
    );
    expect(users).toHaveLength(USERS);
    expect(primaries.size).toBeGreaterThanOrEqual(2);
    for (const user of users) {
      // The index key is on the node the cluster says owns the slot of the token's tag.
      expect(await topology.keySlot(indexKey(user))).toBe(user.slot);
      expect(await queryNode(user.primaryPort, 'EXISTS', indexKey(user))).toBe(1);
    }
  });

  it.each(Array.from({ length: USERS }, (_, i) => i))(
    'user %i: login, me, list, revoke one, revoke others, password change, a role change and logout everywhere, across two instances',
    async (index) => {
      const user = userAt(index);
      const { laptop } = user;
      const phone = await logInSession(b, user.email);
      const tablet = await logInSession(a, user.email);
      // Every token of a user carries the user's shard tag: one slot for all its keys.
      expect([laptop.token, phone.token, tablet.token].map((t) => t.slice(0, 2))).toEqual([
        user.shardTag,
        user.shardTag,
        user.shardTag,
      ]);

      // Login on A works on B, and the other way round.
      const meOnB = await me(b, laptop.token);
      expect(meOnB.status).toBe(200);
      expect(meOnB.body).toEqual({ id: user.id, email: user.email, roles: ['user'] });
      expect((await me(a, phone.token)).status).toBe(200);

      const listed = await request(b).get('/sessions').set('Cookie', cookie(laptop.token));
      expect(listed.status).toBe(200);
      const devices = listed.body as Array<{ id: string; current: boolean }>;
      expect(devices.map((d) => d.id).sort()).toEqual(
        [laptop.sessionId, phone.sessionId, tablet.sessionId].sort(),
      );
      expect(devices.filter((d) => d.current).map((d) => d.id)).toEqual([laptop.sessionId]);

      // Revoke one on A: B's very next request with that cookie is 401 (R13).
      const revokeOne = await request(a)
        .delete(`/sessions/${phone.sessionId}`)
        .set('Cookie', cookie(laptop.token));
      expect(revokeOne.status).toBe(204);
      expect((await me(b, phone.token)).status).toBe(401);
      expect((await me(b, tablet.token)).status).toBe(200);

      // Revoke all others on B: the tablet is 401 on A at once, the laptop still works.
      const revokeOthers = await request(b).delete('/sessions').set('Cookie', cookie(laptop.token));
      expect(revokeOthers.status).toBe(204);
      expect((await me(a, tablet.token)).status).toBe(401);
      expect((await me(a, laptop.token)).status).toBe(200);

      // Password change on A: a new token for this session, every other session revoked.
      const desktop = await logInSession(b, user.email);
      const changed = await request(a)
        .post('/auth/password')
        .set('Cookie', cookie(laptop.token))
        .send({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      expect(changed.status).toBe(204);
      const afterChange = findSessionCookie(changed)?.value ?? '';
      expect(afterChange).toMatch(TOKEN);
      expect(afterChange).not.toBe(laptop.token);
      expect((await me(b, laptop.token)).status).toBe(401);
      expect((await me(b, desktop.token)).status).toBe(401);
      expect((await me(b, afterChange)).status).toBe(200);

      // A role granted by the admin on A reaches the session's next request on B, which rotates it.
      const granted = await request(a)
        .post(`/admin/users/${user.id}/roles`)
        .set('Cookie', cookie(adminToken))
        .send({ roles: ['auditor'] });
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({ id: user.id, roles: ['user', 'auditor'] });
      const withRole = await me(b, afterChange);
      expect(withRole.status).toBe(200);
      expect(withRole.body).toEqual({ id: user.id, email: user.email, roles: ['user', 'auditor'] });
      const rotated = findSessionCookie(withRole)?.value ?? '';
      expect(rotated).toMatch(TOKEN);
      expect(rotated).not.toBe(afterChange);
      expect((await me(a, rotated)).status).toBe(200);

      // Logged out everywhere by the admin on B: the session is 401 on A.
      const everywhere = await request(b)
        .delete(`/admin/users/${user.id}/sessions`)
        .set('Cookie', cookie(adminToken));
      expect(everywhere.status).toBe(204);
      expect((await me(a, rotated)).status).toBe(401);
      expect((await me(b, rotated)).status).toBe(401);
    },
    20_000,
  );

  it("R8: killing the primary of one user's slot: that user sees only 200 or 503, users on other shards no 503, and every session is valid again within 8 s", async () => {
    // Fresh sessions (the password is the new one now), each at least a second old at the kill.
    const sessions: Array<{ user: ClusterUser; token: string; sessionId: string }> = [];
    for (const user of users) {
      sessions.push({ user, ...(await logInSession(a, user.email, { password: NEW_PASSWORD })) });
    }
    const loggedInAt = performance.now();
    const victim = userAt(0);
    const onKilledShard = (user: ClusterUser) => user.primaryPort === victim.primaryPort;

    // GET /sessions touches only the user's own slot (session and index share the tag); GET /me
    // also reads the user's record, whose key has no tag and may live on any shard.
    const listOwnSessions = ({ user, token, sessionId }: (typeof sessions)[number]) =>
      observeHttp(() => request(a).get('/sessions').set('Cookie', cookie(token)), {
        isOk: (response) =>
          response.status === 200 &&
          (response.body as Array<{ id: string }>).some((device) => device.id === sessionId),
        label: onKilledShard(user) ? 'killed-shard' : 'other-shard',
      });
    const traffic = startTraffic((i) => listOwnSessions(sessions[i % sessions.length]!), {
      intervalMs: 20,
      maxMs: 20_000,
    });
    let killedAt = 0;
    try {
      await sleep(Math.max(300, SESSION_AGE_BEFORE_KILL_MS - (performance.now() - loggedInAt)));
      const killed = await topology.killPrimaryOf(indexKey(victim));
      killedAt = killed.killedAt;
      expect(killed.killed.port).toBe(victim.primaryPort);
      const promoted = await topology.waitForNewPrimary(
        killed.slot,
        killed.killed.port,
        RECOVERY_BOUND_MS,
      );
      const promotedMs = performance.now() - killedAt;
      expect(killed.replicas.map((replica) => replica.port)).toContain(promoted.port);
      const firstOk = await pollFor(
        'a request on the killed shard sent after the kill to be answered 200',
        () =>
          Promise.resolve(
            traffic.firstStartedAfter(killedAt, (o) => isOk(o) && o.label === 'killed-shard'),
          ),
        RECOVERY_BOUND_MS,
      );

      // Every session, through GET /me (its user record too), is 200 again; 401 never.
      for (const { user, token } of sessions) {
        const answer = await firstAnswerAfterUnavailable(
          `GET /me of ${user.email} to be answered after the kill`,
          () => me(b, token),
          Math.max(500, killedAt + RECOVERY_BOUND_MS - performance.now()),
        );
        expect({ who: user.email, status: answer.status }).toEqual({
          who: user.email,
          status: 200,
        });
      }
      const allValidMs = performance.now() - killedAt;
      await sleep(300);
      const outcomes = await traffic.stop();
      const during = outcomes.filter((o) => o.startedAt >= killedAt);
      const killedShard = during.filter((o) => o.label === 'killed-shard');
      const otherShards = during.filter((o) => o.label === 'other-shard');
      console.info(
        `cluster R8: replica promoted (seen by every node) ${Math.round(promotedMs)} ms after the kill; ` +
          `first 200 on the killed shard ${Math.round(firstOk.startedAt + firstOk.ms - killedAt)} ms after it; ` +
          `every session valid ${Math.round(allValidMs)} ms after it; ` +
          `killed shard: ${JSON.stringify(summariseOutcomes(killedShard))}; ` +
          `other shards: ${JSON.stringify(summariseOutcomes(otherShards))}`,
      );

      const before = outcomes.filter((o) => o.startedAt + o.ms < killedAt);
      expect(before.length).toBeGreaterThan(10);
      expect(before.filter((o) => !isOk(o))).toEqual([]);
      expect(outcomes.filter(isNeitherOkNorUnavailable)).toEqual([]);
      expect(otherShards.length).toBeGreaterThan(10);
      // cluster-require-full-coverage no: the shards whose primary lives keep serving.
      expect(otherShards.filter((o) => !isOk(o))).toEqual([]);
      expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThanOrEqual(MAX_REQUEST_MS);
      expect(allValidMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    } finally {
      await traffic.stop();
    }
  }, 40_000);
});
