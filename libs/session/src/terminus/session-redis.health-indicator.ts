import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Cluster } from 'ioredis';
import type { SessionRedisClient } from '../redis/create-redis-client.js';
import { SESSION_REDIS_CLIENT } from '../session.constants.js';

/** What the indicator reports besides up/down. */
export interface SessionRedisHealthDetails {
  /** `master` for a standalone or Sentinel primary, `cluster` for a Redis Cluster. */
  role: string;
  latencyMs: number;
}

/**
 * A `@nestjs/terminus` health indicator for the Redis that holds the sessions: reachable,
 * writable (a primary, or a Cluster whose state is ok), and the round-trip time. Down when
 * connected to a replica, since every login and revocation would fail there.
 *
 * @example
 * ＠Get('health')
 * ＠HealthCheck()
 * check() {
 *   return this.health.check([() => this.sessionsRedis.isHealthy('sessions')]);
 * }
 *
 * @publicApi
 */
@Injectable()
export class SessionRedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SESSION_REDIS_CLIENT) private readonly client: SessionRedisClient,
  ) {}

  async isHealthy<const Key extends string>(key: Key) {
    const indicator = this.health.check(key);
    const started = performance.now();
    try {
      const role = await this.writableRole();
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return role === 'master' || role === 'cluster'
        ? indicator.up({ role, latencyMs } satisfies SessionRedisHealthDetails)
        : indicator.down({
            role,
            latencyMs,
            message: 'Connected to a replica: sessions cannot be written',
          });
    } catch (error) {
      return indicator.down({
        message: error instanceof Error ? error.message : 'Redis unreachable',
      });
    }
  }

  private async writableRole(): Promise<string> {
    if (this.client instanceof Cluster) {
      const info = String(await this.client.cluster('INFO'));
      return /cluster_state:ok/.test(info) ? 'cluster' : 'cluster-down';
    }
    const role = (await this.client.call('ROLE')) as unknown[];
    return String(role[0]);
  }
}
