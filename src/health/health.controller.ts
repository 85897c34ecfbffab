import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Cluster, Redis } from 'ioredis';
import { Public, SESSION_REDIS_CLIENT, SessionStoreUnavailableError } from 'nest-redis-session';
import { AppErrorMessages } from '../app-error-messages.js';
import { ApiStoreUnavailable } from '../docs/api-responses.decorator.js';
import { HealthReportResponse } from './health-report-response.js';
import { pingRedis } from './redis-ping.js';

const PING_TIMEOUT_MS = 1000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(SESSION_REDIS_CLIENT) private readonly redis: Redis | Cluster) {}

  /**
   * 200 when Redis answers PING within a second; otherwise the session module's 503, with the
   * same `Retry-After` as every other route that needs Redis.
   */
  @Public()
  @Get()
  @ApiOkResponse({ type: HealthReportResponse })
  @ApiStoreUnavailable()
  async check(): Promise<HealthReportResponse> {
    if (await pingRedis(this.redis, PING_TIMEOUT_MS)) return { status: 'ok', redis: 'up' };
    throw new SessionStoreUnavailableError({ message: AppErrorMessages.redisUnreachable });
  }
}
