import request from 'supertest';
import { pollUntil } from '../../../../test/support/poll-until.js';
import { startRedisServer } from '../../../../test/support/redis-server.js';
import { createFixtureApp, registerSync } from './fixture-app.js';

// Proves process-crash recovery with AOF on. It cannot prove the fsync policy itself, which
// only matters on power loss (see the README, "Durability").
describe('Redis with AOF (appendfsync always) killed with SIGKILL and restarted', () => {
  it('keeps every session that was acknowledged before the kill', async () => {
    const server = await startRedisServer({ appendOnly: 'always' });
    const app = await createFixtureApp(registerSync, {
      redis: { url: server.url },
      cookie: { secure: false },
    });
    try {
      const http = () => request(app.getHttpServer());
      const cookies: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await http()
          .post('/login')
          .send({ userId: `aof-${i}` })
          .expect(200);
        const line = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
          c.startsWith('sid='),
        )!;
        cookies.push(line.split(';')[0]!);
        await http().put('/data').set('Cookie', cookies[i]!).send({ n: i }).expect(200);
      }

      server.kill('SIGKILL');
      await server.waitForExit();
      await server.restart();

      await pollUntil(
        async () => (await http().get('/me').set('Cookie', cookies[0]!)).status === 200,
        {
          deadlineMs: 5000,
        },
      );
      for (const [i, cookie] of cookies.entries()) {
        const me = await http().get('/me').set('Cookie', cookie).expect(200);
        expect(me.body).toMatchObject({ userId: `aof-${i}`, data: { n: i } });
      }
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
