import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { Public, SessionModule } from 'nest-redis-session';
import { SessionRedisHealthIndicator } from 'nest-redis-session/terminus';
import request from 'supertest';
import { pollUntil } from '../../../test/support/poll-until.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/support/redis-server.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessionsRedis: SessionRedisHealthIndicator,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.sessionsRedis.isHealthy('sessions')]);
  }
}

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [SessionRedisHealthIndicator],
})
class HealthModule {}

async function healthApp(url: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [SessionModule.forRoot({ redis: { url }, cookie: { secure: false } }), HealthModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('SessionRedisHealthIndicator (@nestjs/terminus)', () => {
  let primary: RedisServerHandle;
  let replica: RedisServerHandle;

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer({
      extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)],
    });
  });
  afterAll(async () => {
    await replica?.stop();
    await primary?.stop();
  });

  it('is up on a primary, with its role and latency', async () => {
    const app = await healthApp(primary.url);
    try {
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      expect(res.body.info.sessions).toMatchObject({ status: 'up', role: 'master' });
      expect(res.body.info.sessions.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await app.close();
    }
  });

  it('is down when connected to a replica, where no session can be written', async () => {
    const probe = new Redis(replica.url);
    await pollUntil(async () => /master_link_status:up/.test(await probe.info('replication')), {
      deadlineMs: 10_000,
    });
    await probe.quit();
    const app = await healthApp(replica.url);
    try {
      const res = await request(app.getHttpServer()).get('/health').expect(503);
      expect(res.body.error.sessions).toMatchObject({ status: 'down', role: 'slave' });
    } finally {
      await app.close();
    }
  });

  it('is down, within the command timeout, when Redis is not running', async () => {
    const gone = await startRedisServer();
    const app = await healthApp(gone.url);
    try {
      await gone.stop();
      const started = Date.now();
      const res = await request(app.getHttpServer()).get('/health').expect(503);
      expect(res.body.error.sessions.status).toBe('down');
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await app.close();
    }
  });
});
