import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { Response } from 'express';
import type { Cluster, Redis } from 'ioredis';
import { Public, SESSION_REDIS_CLIENT } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { pingRedis } from './redis-ping.js';

const PING_TIMEOUT_MS = 1000;
const RETRY_AFTER_SECONDS = 1;

/** Body of a healthy `GET /health`. */
export interface HealthReport {
  status: 'ok';
  redis: 'up';
}

@Controller('health')
export class HealthController {
  constructor(@Inject(SESSION_REDIS_CLIENT) private readonly redis: Redis | Cluster) {}

  /** 200 when Redis answers PING within a second, otherwise 503 with `Retry-After`. */
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    if (await pingRedis(this.redis, PING_TIMEOUT_MS)) return { status: 'ok', redis: 'up' };
    response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    throw new ServiceUnavailableException(AppErrorMessages.redisUnreachable);
  }
}
