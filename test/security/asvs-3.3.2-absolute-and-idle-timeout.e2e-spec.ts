import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { findSessionCookie } from '../support/cookies.js';
import { createTestApp } from '../support/create-test-app.js';
import { pollUntil } from '../support/poll-until.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 3.3.2: sessions end after a period of inactivity and, whatever the activity, after
// an absolute lifetime; to the second, on every instance (API.md). Second-scale timeouts here;
// the test waits for deadlines the server itself announced, polling the clock, never a fixed sleep.

const IDLE_SECONDS = 2;
const ABSOLUTE_SECONDS = 4;
const TOUCH_SECONDS = 1;
/** Slack for a request's own travel time and the two processes' view of one clock. */
const SLACK_MS = 150;

interface Login {
  token: string;
  /** The idle deadline the server announced (`session.expiresAt`), epoch ms. */
  idleDeadline: number;
}

describe('ASVS 3.3.2: idle and absolute timeouts', () => {
  const keyPrefix = uniquePrefix('asvs-3.3.2');
  let instanceA: INestApplication;
  let instanceB: INestApplication;
  let a: Server;
  let b: Server;

  const me = (server: Server, token: string) =>
    request(server).get('/me').set('Cookie', `sid=${token}`);

  async function logIn(): Promise<Login> {
    const response = await request(a)
      .post('/auth/login')
      .send({ email: 'ann@example.com', password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    const { session } = response.body as { session: { expiresAt: string } };
    return {
      token: findSessionCookie(response, 'sid')?.value ?? '',
      idleDeadline: Date.parse(session.expiresAt),
    };
  }

  /** Resolves once the local clock is past `epochMs`. */
  function clockPast(epochMs: number): Promise<number> {
    return pollUntil(() => Promise.resolve(Date.now() > epochMs), {
      deadlineMs: Math.max(0, epochMs - Date.now()) + 2000,
      intervalMs: 10,
    });
  }

  beforeAll(async () => {
    const settings = {
      redisUrl: inject('redisUrl'),
      keyPrefix,
      idleTimeoutSeconds: IDLE_SECONDS,
      absoluteTimeoutSeconds: ABSOLUTE_SECONDS,
      touchIntervalSeconds: TOUCH_SECONDS,
    };
    instanceA = await createTestApp(settings);
    instanceB = await createTestApp(settings);
    a = instanceA.getHttpServer();
    b = instanceB.getHttpServer();
    await signUp(a, 'ann@example.com');
  });

  afterAll(async () => {
    await Promise.all([instanceA.close(), instanceB.close()]);
  });

  it(`announces an idle deadline ${IDLE_SECONDS} s after login`, async () => {
    const before = Date.now();
    const { idleDeadline } = await logIn();
    const after = Date.now();

    expect(idleDeadline).toBeGreaterThanOrEqual(before + IDLE_SECONDS * 1000 - SLACK_MS);
    expect(idleDeadline).toBeLessThanOrEqual(after + IDLE_SECONDS * 1000 + SLACK_MS);
  });

  it('ends an unused session at its idle deadline, not before, on every instance', async () => {
    const [early, late, onB] = await Promise.all([logIn(), logIn(), logIn()]);

    await clockPast(early.idleDeadline - 300);
    expect((await me(a, early.token)).status).toBe(200);

    await clockPast(Math.max(late.idleDeadline, onB.idleDeadline) + SLACK_MS);
    const [lateOnA, unusedOnB] = await Promise.all([me(a, late.token), me(b, onB.token)]);
    expect(lateOnA.status).toBe(401);
    expect(unusedOnB.status).toBe(401);
  });

  it('keeps a session in use alive past its idle timeout', async () => {
    const { token, idleDeadline } = await logIn();
    const until = idleDeadline + IDLE_SECONDS * 1000;

    let requests = 0;
    while (Date.now() < until) {
      // Alternating instances: activity seen by either counts for both.
      const response = await me(requests % 2 === 0 ? a : b, token);
      expect(response.status).toBe(200);
      requests += 1;
      await clockPast(Date.now() + 300);
    }
    expect(requests).toBeGreaterThan(5);
  });

  it('ends a session at its absolute deadline however active it is, on every instance', async () => {
    const loginStarted = Date.now();
    const { token } = await logIn();
    const listed = await request(a).get('/sessions').set('Cookie', `sid=${token}`);
    const current = (listed.body as Array<{ current: boolean; createdAt: string }>).find(
      (session) => session.current,
    );
    const absoluteDeadline = Date.parse(current?.createdAt ?? '') + ABSOLUTE_SECONDS * 1000;
    expect(absoluteDeadline).toBeGreaterThanOrEqual(loginStarted + ABSOLUTE_SECONDS * 1000 - 50);

    const outcomes: Array<{ sentAt: number; answeredAt: number; status: number }> = [];
    let requests = 0;
    while (Date.now() < absoluteDeadline + 1000) {
      const sentAt = Date.now();
      const response = await me(requests % 2 === 0 ? a : b, token);
      outcomes.push({ sentAt, answeredAt: Date.now(), status: response.status });
      requests += 1;
      await clockPast(Date.now() + 200);
    }

    // Alive (the idle deadline kept moving) until the absolute deadline, dead from then on.
    const answeredBefore = outcomes.filter((o) => o.answeredAt < absoluteDeadline - SLACK_MS);
    const sentAfter = outcomes.filter((o) => o.sentAt > absoluteDeadline + SLACK_MS);
    expect(answeredBefore.length).toBeGreaterThan(10);
    expect(sentAfter.length).toBeGreaterThan(2);
    expect(answeredBefore.every((o) => o.status === 200)).toBe(true);
    expect(sentAfter.every((o) => o.status === 401)).toBe(true);
  });
});
