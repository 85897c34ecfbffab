import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import type { RedisTopology } from '../src/config/app-config.js';
import { logInSession, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import {
  firstAnswerAfterUnavailable,
  isServiceUnavailable,
  observeHttp,
} from './support/http-outcomes.js';
import { startListeningApp } from './support/listening-app.js';
import {
  pollFor,
  startSentinelTopology,
  startTraffic,
  summariseOutcomes,
  type Outcome,
  type SentinelTopology,
} from './support/redis-topologies.js';
import { uniquePrefix } from './support/unique-prefix.js';

// RELIABILITY.md §5 R4, R7 and R10 through the sample app (REDIS_SENTINELS), over real
// Sentinel topologies: one primary, replicas, three sentinels, down-after 1000 ms.

/** Sessions must be this old when the primary dies: asynchronous replication had time to copy them. */
const SESSION_AGE_BEFORE_KILL_MS = 1_000;
/** The command timeout (1000 ms) plus headroom: no request may take longer, answered or failed. */
const MAX_REQUEST_MS = 1_500;
/** The service is back (a 200) within this of the kill. */
const RECOVERY_BOUND_MS = 8_000;
/** SIGKILL within this of the app sending the 204 (on the same clock: the app runs in-process). */
const MAX_KILL_DELAY_MS = 10;
const R7_RUNS = 5;

const sentinelRedis = (topology: SentinelTopology): RedisTopology => ({
  kind: 'sentinel',
  sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
  name: topology.name,
});

const cookie = (token: string) => `sid=${token}`;
const isAnswered = (o: Outcome) => o.kind === 'ok';
const isNeitherOkNorUnavailable = (o: Outcome) => o.kind !== 'ok' && o.kind !== 'unavailable';

interface SentinelApp {
  readonly server: Server;
  close(): Promise<void>;
}

/** The sample app on the topology's sentinels, once it reaches the primary through them. */
async function startApp(
  topology: SentinelTopology,
  settings: { waitReplicas?: number } = {},
): Promise<SentinelApp> {
  const app = await startListeningApp({
    redis: sentinelRedis(topology),
    keyPrefix: uniquePrefix('sentinel-failover'),
    ...settings,
  });
  return { server: app.getHttpServer(), close: () => app.close() };
}

interface Account {
  readonly id: string;
  readonly email: string;
  readonly token: string;
  readonly sessionId: string;
}

async function signUpAndLogIn(server: Server, email: string): Promise<Account> {
  const { id } = await signUp(server, email);
  const { token, sessionId } = await logInSession(server, email);
  return { id, email, token, sessionId };
}

/** When the app has handed its next response to the OS (`finish`), on the `performance.now()` clock. */
function nextResponseSentAt(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.once('request', (_request: IncomingMessage, response: ServerResponse) => {
      response.once('finish', () => resolve(performance.now()));
    });
  });
}

const me = (server: Server, token: string) =>
  request(server).get('/me').set('Cookie', cookie(token));

describe('Sentinel failover through the app (REDIS_SENTINELS; down-after 1000 ms)', () => {
  describe('R4: primary killed with SIGKILL under steady traffic (1 primary, 2 replicas)', () => {
    let topology: SentinelTopology;
    let target: SentinelApp;
    let accounts: Account[];

    beforeAll(async () => {
      topology = await startSentinelTopology({ replicas: 2 });
      target = await startApp(topology);
      // argon2 makes each signup and login cost ~0.2 s: six users, one session each.
      accounts = [];
      for (const name of ['ann', 'bob', 'cat', 'dan', 'eve', 'fay']) {
        accounts.push(await signUpAndLogIn(target.server, `${name}@example.com`));
      }
    }, 30_000);

    afterAll(async () => {
      await target?.close();
      await topology?.stop();
    });

    it('answers only 200 or 503 + Retry-After, none slower than 1.5 s, is back within 8 s, and every session of 1 s before works afterwards', async () => {
      const { server } = target;
      const getMe = (account: Account) =>
        observeHttp(() => me(server, account.token), {
          isOk: (response) => response.status === 200 && response.body.id === account.id,
          label: account.email,
        });
      const loggedInAt = performance.now();
      const fromPort = await topology.currentPrimaryPort();
      expect(fromPort).toBe(topology.primary.port);

      // Every ~20 ms, whether or not earlier requests have been answered (open loop).
      const traffic = startTraffic((i) => getMe(accounts[i % accounts.length]!), {
        intervalMs: 20,
        maxMs: 20_000,
      });
      let killedAt = 0;
      try {
        // An age the sessions must reach, not a readiness wait.
        await sleep(Math.max(300, SESSION_AGE_BEFORE_KILL_MS - (performance.now() - loggedInAt)));
        killedAt = performance.now();
        topology.primary.kill('SIGKILL');

        const newPrimaryPort = await topology.waitForFailover(fromPort, RECOVERY_BOUND_MS);
        const switchedMs = performance.now() - killedAt;
        expect(topology.replicas.map((replica) => replica.port)).toContain(newPrimaryPort);
        const firstOk = await pollFor(
          'a request sent after the kill to be answered 200',
          () => Promise.resolve(traffic.firstStartedAfter(killedAt, isAnswered)),
          RECOVERY_BOUND_MS,
        );
        // Keep the traffic going a little: the service stays back.
        await sleep(500);
        const outcomes = await traffic.stop();
        const recoveryMs = firstOk.startedAt + firstOk.ms - killedAt;
        const during = outcomes.filter((o) => o.startedAt >= killedAt);
        const afterRecovery = outcomes.filter((o) => o.startedAt > firstOk.startedAt);
        console.info(
          `sentinel R4: sentinels switched ${Math.round(switchedMs)} ms after the kill; ` +
            `first 200 ${Math.round(recoveryMs)} ms after it; ` +
            `non-200 after that: ${afterRecovery.filter((o) => !isAnswered(o)).length}; ` +
            `from the kill on: ${JSON.stringify(summariseOutcomes(during))}; ` +
            `whole run: ${JSON.stringify(summariseOutcomes(outcomes))}`,
        );

        const before = outcomes.filter((o) => o.startedAt + o.ms < killedAt);
        expect(before.length).toBeGreaterThan(10);
        expect(before.filter((o) => !isAnswered(o))).toEqual([]);
        expect(outcomes.filter(isNeitherOkNorUnavailable)).toEqual([]);
        expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThanOrEqual(MAX_REQUEST_MS);
        expect(recoveryMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      } finally {
        await traffic.stop();
      }

      // Every session written a second before the kill is on the promoted replica: 200, never
      // 401 (a 503 is retried while the client settles on the new primary).
      for (const account of accounts) {
        const answer = await firstAnswerAfterUnavailable(
          `GET /me of ${account.email} to be answered`,
          () => me(server, account.token),
          Math.max(1_000, killedAt + RECOVERY_BOUND_MS - performance.now()),
        );
        expect({ who: account.email, status: answer.status, body: answer.body }).toEqual({
          who: account.email,
          status: 200,
          body: { id: account.id, email: account.email, roles: ['user'] },
        });
      }
    }, 40_000);
  });

  describe('R7: a revocation acknowledged with WAIT does not come back after the failover that follows it (SESSION_WAIT_REPLICAS=1; 1 primary, 1 replica)', () => {
    // Each run on a fresh topology: Sentinel will not fail the same primary over again within
    // twice its failover-timeout (10 s), and bring-up takes ~2.3 s.
    it.each(Array.from({ length: R7_RUNS }, (_, i) => i + 1))(
      'run %i: primary killed right after the 204; after the failover the revoked cookie is 401 and the user’s other session 200',
      async (run) => {
        const topology = await startSentinelTopology({ replicas: 1 });
        let target: SentinelApp | undefined;
        try {
          target = await startApp(topology, { waitReplicas: 1 });
          const { server } = target;
          const keeper = await signUpAndLogIn(server, `r7-${run}@example.com`);
          const revoked = await logInSession(server, keeper.email);
          const fromPort = await topology.currentPrimaryPort();
          expect(fromPort).toBe(topology.primary.port);

          // Odd runs sign the device out from the other session, even runs log it out.
          const how = run % 2 === 1 ? 'DELETE /sessions/:id' : 'POST /auth/logout';
          const responseSent = nextResponseSentAt(server);
          const revocation =
            run % 2 === 1
              ? await request(server)
                  .delete(`/sessions/${revoked.sessionId}`)
                  .set('Cookie', cookie(keeper.token))
              : await request(server).post('/auth/logout').set('Cookie', cookie(revoked.token));
          const killedAt = performance.now();
          topology.primary.kill('SIGKILL');
          const killReturnedMs = performance.now() - killedAt;
          const killDelayMs = killedAt - (await responseSent);
          expect(revocation.status).toBe(204);
          expect(killDelayMs).toBeLessThanOrEqual(MAX_KILL_DELAY_MS);

          const newPrimaryPort = await topology.waitForFailover(fromPort, RECOVERY_BOUND_MS);
          expect(newPrimaryPort).toBe(topology.replicas[0]?.port);
          const remaining = () => Math.max(1_000, killedAt + RECOVERY_BOUND_MS - performance.now());
          // The other session proves the promoted replica has the user's data: a 401 below is the
          // revocation, not an empty Redis.
          const kept = await firstAnswerAfterUnavailable(
            'the kept session to be answered after the failover',
            () => me(server, keeper.token),
            remaining(),
          );
          const afterFailover = await firstAnswerAfterUnavailable(
            'the revoked cookie to be answered after the failover',
            () => me(server, revoked.token),
            remaining(),
          );
          console.info(
            `sentinel R7 run ${run} (${how}): SIGKILL sent ${killDelayMs.toFixed(2)} ms after the app sent the 204 ` +
              `(kill() returned after ${killReturnedMs.toFixed(2)} ms); ` +
              `answered again ${Math.round(performance.now() - killedAt)} ms after the kill; ` +
              `revoked cookie ${afterFailover.status}, kept session ${kept.status}`,
          );
          expect(kept.status).toBe(200);
          expect(afterFailover.status).toBe(401);
          // And it stays dead.
          expect((await me(server, revoked.token)).status).toBe(401);
        } finally {
          await target?.close();
          await topology.stop();
        }
      },
      30_000,
    );
  });

  describe('R10: with SESSION_WAIT_REPLICAS=1, a write the replica did not acknowledge is never reported done', () => {
    let topology: SentinelTopology;
    let target: SentinelApp;
    let ann: Account;
    let phone: { token: string; sessionId: string };

    beforeAll(async () => {
      topology = await startSentinelTopology({ replicas: 1 });
      target = await startApp(topology, { waitReplicas: 1 });
      ann = await signUpAndLogIn(target.server, 'ann@example.com');
      phone = await logInSession(target.server, ann.email);
    }, 30_000);

    afterAll(async () => {
      await target?.close();
      await topology?.stop();
    });

    it('while the replica is stopped (SIGSTOP): login answers 503 + Retry-After without a session cookie, revoke and logout 503, not 204; all work again after SIGCONT', async () => {
      const { server } = target;
      const [replica] = topology.replicas;
      if (replica === undefined) throw new Error('the topology has no replica');

      replica.kill('SIGSTOP');
      let stopped = true;
      try {
        // Reads need no acknowledgement: the session still works while the replica is stopped.
        const read = await me(server, ann.token);
        const started = performance.now();
        const login = await request(server)
          .post('/auth/login')
          .send({ email: ann.email, password: TEST_PASSWORD });
        const loginMs = performance.now() - started;
        const revoke = await request(server)
          .delete(`/sessions/${phone.sessionId}`)
          .set('Cookie', cookie(ann.token));
        const logout = await request(server).post('/auth/logout').set('Cookie', cookie(ann.token));
        replica.kill('SIGCONT');
        stopped = false;
        console.info(
          `sentinel R10: login ${login.status} in ${Math.round(loginMs)} ms, revoke ${revoke.status}, ` +
            `logout ${logout.status}, read ${read.status}`,
        );

        expect(login.status).toBe(503);
        expect(isServiceUnavailable(login)).toBe(true);
        expect(findSessionCookie(login)?.value ?? '').toBe('');
        expect(login.body).not.toHaveProperty('session');
        expect(loginMs).toBeLessThan(MAX_REQUEST_MS);
        expect(revoke.status).toBe(503);
        expect(isServiceUnavailable(revoke)).toBe(true);
        expect(logout.status).toBe(503);
        expect(isServiceUnavailable(logout)).toBe(true);
        expect(read.status).toBe(200);
      } finally {
        if (stopped) replica.kill('SIGCONT');
      }

      // Acknowledged again once the replica runs: a login and its logout succeed. (The 503 said
      // "not known to be durable", not "undone": the primary may have applied the revoke and the
      // logout above, so their tokens are not used again.)
      const login = await firstAnswerAfterUnavailable(
        'a login to be acknowledged after SIGCONT',
        () =>
          request(server).post('/auth/login').send({ email: ann.email, password: TEST_PASSWORD }),
        5_000,
      );
      expect(login.status).toBe(200);
      const token = findSessionCookie(login)?.value ?? '';
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await me(server, token)).status).toBe(200);
      const logout = await request(server).post('/auth/logout').set('Cookie', cookie(token));
      expect(logout.status).toBe(204);
      expect((await me(server, token)).status).toBe(401);
    }, 30_000);
  });
});
