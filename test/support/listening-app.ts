import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, type TestAppSettings } from './create-test-app.js';
import { pollFor } from './redis-topologies.js';

/**
 * The sample app listening on a free loopback port, resolved once `GET /health` says it reaches
 * Redis (the app starts without waiting for it). Listening before the first request makes
 * SuperTest leave the server alone, so hundreds of overlapping requests share one port.
 */
export async function startListeningApp(
  settings: TestAppSettings,
  readyWithinMs = 5_000,
): Promise<INestApplication> {
  const app = await createTestApp(settings);
  try {
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer();
    await pollFor(
      'the app to reach Redis (GET /health answering 200)',
      async () => ((await request(server).get('/health')).status === 200 ? true : undefined),
      readyWithinMs,
    );
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}
