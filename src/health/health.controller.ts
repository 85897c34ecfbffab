import { Controller, Get, Inject } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { Public, SESSION_REDIS_CLIENT, SessionStoreUnavailableError } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { pingRedis } from './redis-ping.js';

const PING_TIMEOUT_MS = 1000;

/** Body of a healthy `GET /health`. */
export interface HealthReport {
  status: 'ok';
  redis: 'up';
}

@Controller('health')
export class HealthController {
  constructor(@Inject(SESSION_REDIS_CLIENT) private readonly redis: Redis | Cluster) {}

  /**
   * 200 when Redis answers PING within a second; otherwise the session module's 503, with the
   * same `Retry-After` as every other route that needs Redis.
   */
  @Public()
  @Get()
  async check(): Promise<HealthReport> {
    if (await pingRedis(this.redis, PING_TIMEOUT_MS)) return { status: 'ok', redis: 'up' };
    throw new SessionStoreUnavailableError({ message: AppErrorMessages.redisUnreachable });
  }
}
