import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, TEST_PASSWORD } from './support/auth-requests.js';
import { findSessionCookie } from './support/cookies.js';
import { createTestApp } from './support/create-test-app.js';
import { pollUntil } from './support/poll-until.js';
import { startRedisServer } from './support/redis-server.js';
import { uniquePrefix } from './support/unique-prefix.js';

// API.md "Operations": GET /metrics in Prometheus text format, with session counters and a
// histogram of lookup time, fed by the library's SessionEvents.

/** The value of one series (`name{labels}`, or a bare name), or 0 when it is not there yet. */
function valueOf(metrics: string, series: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function scrape(server: Server): Promise<string> {
  const response = await request(server).get('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text;
}

describe('GET /metrics', () => {
  let app: INestApplication;
  let server: Server;

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix: uniquePrefix('metrics') });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
  });

  it('is public and carries the process metrics as well as the session ones', async () => {
    const metrics = await scrape(server);

    expect(metrics).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(metrics).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
    expect(metrics).toContain('# TYPE session_lookup_duration_seconds histogram');
    expect(metrics).toContain('# TYPE session_created_total counter');
  });

  it('counts a login, lookups, a rotation, a revocation and a logout, and names no one', async () => {
    const email = 'metrics-ann@example.com';
    await signUp(server, email);
    const before = await scrape(server);

    const first = await logInSession(server, email);
    const second = await logInSession(server, email);
    const withFirst = (call: request.Test) => call.set('Cookie', `sid=${first.token}`);
    expect((await withFirst(request(server).get('/me'))).status).toBe(200);
    const elevated = await withFirst(request(server).post('/auth/elevate')).send({
      password: TEST_PASSWORD,
    });
    expect(elevated.status).toBe(200);
    const rotatedToken = /sid=([^;]+)/.exec(String(elevated.headers['set-cookie']))?.[1] ?? '';
    const withRotated = (call: request.Test) => call.set('Cookie', `sid=${rotatedToken}`);
    expect(
      (await withRotated(request(server).delete(`/sessions/${second.sessionId}`))).status,
    ).toBe(204);
    expect((await withRotated(request(server).post('/auth/logout'))).status).toBe(204);
    const after = await scrape(server);

    const grew = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(grew('session_created_total{login="true"}')).toBe(2);
    expect(grew('session_rotated_total{reason="elevation"}')).toBe(1);
    expect(grew('session_revoked_total{reason="revoked"}')).toBe(1);
    expect(grew('session_logged_out_total')).toBe(1);
    // /me, elevate, the revocation and the logout each loaded a session.
    expect(grew('session_lookup_duration_seconds_count{outcome="found"}')).toBeGreaterThanOrEqual(
      4,
    );
    expect(
      grew('session_lookup_duration_seconds_count{outcome="no-cookie"}'),
    ).toBeGreaterThanOrEqual(2);
    for (const secret of [first.token, second.token, rotatedToken, email, first.sessionId]) {
      expect(after).not.toContain(secret);
    }
  });

  it('keeps each app instance’s counts apart (a registry per app)', async () => {
    const other = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix: uniquePrefix('metrics-other'),
    });
    try {
      const mine = await scrape(server);
      const theirs = await scrape(other.getHttpServer());

      expect(valueOf(mine, 'session_created_total{login="true"}')).toBeGreaterThan(0);
      expect(valueOf(theirs, 'session_created_total{login="true"}')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('counts a session found expired on read', async () => {
    // Its own app with a 2 s idle timeout (the shortest the config allows with a 1 s touch):
    // the read after the deadline finds the hash still there (the key outlives its deadline by
    // the expiry grace), so the store reports it expired rather than missing.
    const shortLived = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix: uniquePrefix('metrics-expiry'),
      idleTimeoutSeconds: 2,
      absoluteTimeoutSeconds: 4,
      touchIntervalSeconds: 1,
    });
    try {
      const short = shortLived.getHttpServer();
      await signUp(short, 'metrics-expiring@example.com');
      const login = await request(short)
        .post('/auth/login')
        .send({ email: 'metrics-expiring@example.com', password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      const token = findSessionCookie(login, 'sid')?.value ?? '';
      const idleDeadline = Date.parse(
        (login.body as { session: { expiresAt: string } }).session.expiresAt,
      );
      const before = await scrape(short);
      await pollUntil(() => Promise.resolve(Date.now() > idleDeadline + 50), {
        deadlineMs: idleDeadline - Date.now() + 3000,
        intervalMs: 10,
      });

      const expired = await request(short).get('/me').set('Cookie', `sid=${token}`);
      const after = await scrape(short);

      expect(expired.status).toBe(401);
      expect(
        valueOf(after, 'session_expired_on_read_total') -
          valueOf(before, 'session_expired_on_read_total'),
      ).toBe(1);
      expect(
        valueOf(after, 'session_lookup_duration_seconds_count{outcome="expired"}') -
          valueOf(before, 'session_lookup_duration_seconds_count{outcome="expired"}'),
      ).toBe(1);
    } finally {
      await shortLived.close();
    }
  });

  it('counts requests Redis could not serve', async () => {
    const redisServer = await startRedisServer();
    const cutOff = await createTestApp({
      redisUrl: redisServer.url,
      keyPrefix: uniquePrefix('metrics-outage'),
    });
    try {
      const cut = cutOff.getHttpServer();
      await signUp(cut, 'metrics-outage@example.com');
      const token = (await logInSession(cut, 'metrics-outage@example.com')).token;
      const before = await scrape(cut);
      redisServer.kill('SIGKILL');
      await redisServer.waitForExit();

      const refused = await request(cut).get('/me').set('Cookie', `sid=${token}`);
      const after = await scrape(cut);

      expect(refused.status).toBe(503);
      expect(
        valueOf(after, 'session_store_unavailable_total') -
          valueOf(before, 'session_store_unavailable_total'),
      ).toBe(1);
      expect(
        valueOf(after, 'session_lookup_duration_seconds_count{outcome="unavailable"}') -
          valueOf(before, 'session_lookup_duration_seconds_count{outcome="unavailable"}'),
      ).toBe(1);
    } finally {
      await cutOff.close();
      await redisServer.stop();
    }
  });
});
