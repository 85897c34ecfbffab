import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inject } from 'vitest';
import { CapturingLogger } from '../support/capturing-logger.js';
import { createTestApp, type TestAppSettings } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

// Production mode marks the cookie Secure, which needs HTTPS; behind a TLS terminator the app
// only knows the client used HTTPS if it trusts the proxy. Without TRUST_PROXY it says so,
// loudly and once, at start.

async function startupLines(
  settings: Partial<TestAppSettings>,
): Promise<{ logger: CapturingLogger; app: INestApplication }> {
  const logger = new CapturingLogger();
  const app = await createTestApp({
    redisUrl: inject('redisUrl'),
    keyPrefix: uniquePrefix('trust-proxy-warning'),
    logger,
    ...settings,
  });
  return { logger, app };
}

const warningsAboutTrustProxy = (logger: CapturingLogger) =>
  logger.lines.filter((line) => line.text.includes('TRUST_PROXY'));

describe('the production warning about TRUST_PROXY', () => {
  it('is logged once, as a warning, in production without TRUST_PROXY', async () => {
    const { logger, app } = await startupLines({ production: true });
    try {
      const warnings = warningsAboutTrustProxy(logger);

      expect(warnings).toHaveLength(1);
      const [warning] = warnings;
      expect(warning?.level).toBe('warn');
      expect(warning?.text).not.toContain('\n');
      expect(warning?.text).toMatch(/Secure/);
      expect(warning?.text).toMatch(/HTTPS/);
      expect(warning?.text).toMatch(/set TRUST_PROXY to/);
      expect(warning?.text).toMatch(/TRUST_PROXY=1/);
      // The app still starts and serves.
      expect((await request(app.getHttpServer()).get('/health')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['production with TRUST_PROXY set', { production: true, trustProxy: '1' }],
    [
      'production with TRUST_PROXY=false (an explicit choice)',
      { production: true, trustProxy: 'false' },
    ],
    ['development', { production: false }],
  ])('is not logged in %s', async (_case, settings) => {
    const { logger, app } = await startupLines(settings);
    try {
      expect(warningsAboutTrustProxy(logger)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
