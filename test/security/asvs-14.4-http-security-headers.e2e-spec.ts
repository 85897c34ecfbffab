import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// ASVS 4.0.3 14.4.1 (Content-Type with charset), 14.4.3 (Content-Security-Policy), 14.4.4
// (nosniff), 14.4.5 (HSTS), 14.4.6 (Referrer-Policy), 14.4.7 (not framed), plus no
// X-Powered-By and no caching of answers: helmet, on every kind of answer.

/** One of each kind of answer: a JSON route, a 401, a body-parser 400, a 404, a page. */
function sampleAnswers(server: Server): Promise<request.Response[]> {
  return Promise.all([
    request(server).get('/health'),
    request(server).get('/me'),
    request(server).post('/auth/signup').set('Content-Type', 'application/json').send('{"email":'),
    request(server).get('/no-such-route'),
    request(server).get('/'),
  ]);
}

function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const [name = '', ...values] = part.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

describe('ASVS 14.4: HTTP security headers (development mode)', () => {
  let app: INestApplication;
  let server: Server;
  let answers: request.Response[];

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix: uniquePrefix('asvs-14.4-dev'),
    });
    server = app.getHttpServer();
    answers = await sampleAnswers(server);
  });

  afterAll(async () => {
    await app.close();
  });

  it('sends the sample answers with the statuses they are meant to have', () => {
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 400, 404, 200]);
  });

  it("14.4.3: a Content-Security-Policy with default-src 'self' and no inline script", () => {
    for (const answer of answers) {
      const csp = directives(String(answer.headers['content-security-policy']));
      expect(csp.get('default-src')).toBe("'self'");
      expect(csp.get('script-src')).toBe("'self'");
      expect(csp.get('script-src-attr')).toBe("'none'");
      expect(csp.get('object-src')).toBe("'none'");
      expect(csp.get('base-uri')).toBe("'self'");
      expect(csp.get('form-action')).toBe("'self'");
      expect(csp.get('frame-ancestors')).toBe("'none'");
      // Plain HTTP in development: upgrading every request would break the pages.
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
    }
  });

  it('14.4.4, 14.4.6, 14.4.7: nosniff, no referrer, never framed', () => {
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['cross-origin-opener-policy']).toBe('same-origin');
    }
  });

  it('14.4.1: JSON answers say so, with a charset', () => {
    for (const answer of answers.slice(0, 4)) {
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('no X-Powered-By, and nothing is cached', () => {
    for (const answer of answers) {
      expect(answer.headers).not.toHaveProperty('x-powered-by');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('14.4.5: no HSTS over plain-HTTP development', () => {
    for (const answer of answers)
      expect(answer.headers).not.toHaveProperty('strict-transport-security');
  });
});

describe('ASVS 14.4: HTTP security headers (production mode)', () => {
  let app: INestApplication;
  let answers: request.Response[];

  beforeAll(async () => {
    app = await createTestApp({
      redisUrl: inject('redisUrl'),
      keyPrefix: uniquePrefix('asvs-14.4-production'),
      production: true,
      trustProxy: 'loopback',
    });
    answers = await sampleAnswers(app.getHttpServer());
  });

  afterAll(async () => {
    await app.close();
  });

  it('14.4.5: HSTS for a year with subdomains, and upgrade-insecure-requests', () => {
    for (const answer of answers) {
      const hsts = String(answer.headers['strict-transport-security']);
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
      expect(hsts).toContain('includeSubDomains');
      const csp = directives(String(answer.headers['content-security-policy']));
      expect(csp.has('upgrade-insecure-requests')).toBe(true);
      expect(csp.get('default-src')).toBe("'self'");
    }
  });
});
