import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { signUp } from '../support/auth-requests.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// RELIABILITY S7: an unknown email and a wrong password answer alike, in status, body and time,
// so neither the response nor its timing tells whether an email is registered.

// S7 asks for 30 tries each. On a 2-core machine that other jobs load as well, medians of 30
// moved by over 10 % between runs while the two paths did the same work; 100 keep the 10 % bound
// stable under the load a CI run puts on such a machine.
const TRIES_EACH = 100;
// Unmeasured rounds first: the first requests pay for JIT compilation and cold connections.
const WARM_UP_ROUNDS = 3;
const MAX_MEDIAN_DIFFERENCE = 0.1;
// LoginThrottle caps failures at 50 an hour per account whatever the settings: the wrong
// passwords are spread over enough accounts that each stays below the cap.
const FAILURES_PER_ACCOUNT = 40;
const ACCOUNTS = Math.ceil((TRIES_EACH + WARM_UP_ROUNDS) / FAILURES_PER_ACCOUNT);
const INVALID_CREDENTIALS = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Invalid email or password',
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2
    : (sorted[Math.floor(middle)] ?? NaN);
}

describe('S7: no user enumeration through login answers or their timing', () => {
  const keyPrefix = uniquePrefix('enumeration');
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix,
      // Every try below is a failure from one address: budgets above the run's total, so no
      // try is answered by the throttle instead of by the password check being measured.
      // Throttling has its own spec.
      loginThrottle: { maxFailuresPerEmail: 1000, maxFailuresPerIp: 1_000_000 },
    });
    server = app.getHttpServer();
    for (let i = 0; i < ACCOUNTS; i++) await signUp(server, `user${i}@example.com`);
  });

  afterAll(async () => {
    await app.close();
  });

  /** Milliseconds one failed login took; the answer must be the shared 401. */
  async function timeFailedLogin(email: string, password: string): Promise<number> {
    const start = performance.now();
    const response = await request(server).post('/auth/login').send({ email, password });
    const elapsed = performance.now() - start;
    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_CREDENTIALS);
    return elapsed;
  }

  it(`takes the same time (median ratio of interleaved pairs within ${MAX_MEDIAN_DIFFERENCE * 100} %) for an unknown email as for a wrong password, over ${TRIES_EACH} pairs`, async () => {
    // An unknown email verifies the password against a dummy argon2 hash; a known one against
    // the user's own. Both use the same parameters, so the work is the same. Both send the same
    // kind of password: only the email differs.
    const wrongPassword = (i: number) =>
      timeFailedLogin(`user${i % ACCOUNTS}@example.com`, `not the password ${i}`);
    const unknownEmail = (i: number) =>
      timeFailedLogin(`nobody${i}@example.com`, `not the password ${i}`);
    for (let i = TRIES_EACH; i < TRIES_EACH + WARM_UP_ROUNDS; i++) {
      await wrongPassword(i);
      await unknownEmail(i);
    }

    const wrongPasswordMs: number[] = [];
    const unknownEmailMs: number[] = [];
    const pairRatios: number[] = [];
    // Interleaved in pairs, and which one goes first alternates: load from other processes on
    // the machine then falls on both members of a pair alike.
    for (let i = 0; i < TRIES_EACH; i++) {
      let wrong: number;
      let unknown: number;
      if (i % 2 === 0) {
        wrong = await wrongPassword(i);
        unknown = await unknownEmail(i);
      } else {
        unknown = await unknownEmail(i);
        wrong = await wrongPassword(i);
      }
      wrongPasswordMs.push(wrong);
      unknownEmailMs.push(unknown);
      pairRatios.push(unknown / wrong);
    }

    // The median of the pairs' ratios, not the ratio of the two medians: a stretch of load
    // from the rest of the test run (other files log in with argon2 on the same two cores)
    // slows both members of a pair, so it cancels out of their ratio. The ratio of medians
    // moved to 1.15 once in a full run while every isolated run stayed within 1 %.
    const ratio = median(pairRatios);
    const summary = `medians: unknown email ${median(unknownEmailMs).toFixed(1)} ms, wrong password ${median(wrongPasswordMs).toFixed(1)} ms, median ratio of ${TRIES_EACH} pairs ${ratio.toFixed(3)}`;
    // Printed on success too: a CI log then shows how close the two paths run over time.
    console.info(`S7 ${summary}`);
    expect(Math.abs(ratio - 1), summary).toBeLessThan(MAX_MEDIAN_DIFFERENCE);
  }, 120_000);
});
