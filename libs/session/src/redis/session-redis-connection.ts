import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { RESOLVED_SESSION_OPTIONS } from '../session.constants.js';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';
import {
  createRedisClient,
  describeRedisTarget,
  type SessionRedisClient,
} from './create-redis-client.js';

/**
 * Owns the module's Redis client: creates it from connection settings, or holds the client the
 * application gave. Closes only a client it created.
 */
@Injectable()
export class SessionRedisConnection implements OnModuleInit, OnApplicationShutdown {
  readonly client: SessionRedisClient;
  private readonly owned: boolean;
  private readonly logger = new Logger('SessionModule');
  private reachable = true;

  constructor(@Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions) {
    const { redis } = options;
    this.owned = !('client' in redis);
    this.client = 'client' in redis ? redis.client : createRedisClient(redis, options);
    if (this.owned) this.reportReachability(describeRedisTarget(redis), options.connectionHint);
  }

  /**
   * Commands fail at once while disconnected (no offline queue), so give a client the module
   * created a bounded moment to connect before the app serves its first request. A Redis that
   * is down does not block the boot: the app starts and answers 503 until it is back.
   */
  async onModuleInit(): Promise<void> {
    if (!this.owned || this.client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, this.options.commandTimeoutMs);
      this.client.once('ready', done);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.owned) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  // One line per outage instead of ioredis's error on every reconnect attempt.
  private reportReachability(target: string, hint: string | undefined): void {
    this.client.on('error', (error: Error & { code?: string }) => {
      if (!this.reachable) return;
      this.reachable = false;
      const reason = error.code ?? error.message;
      this.logger.error(
        `Redis unreachable at ${target} (${reason}): requests that need a session answer 503 until it is back` +
          (hint ? `; ${hint}` : ''),
      );
    });
    this.client.on('ready', () => {
      if (this.reachable) return;
      this.reachable = true;
      this.logger.log(`Redis at ${target} is reachable again`);
    });
  }
}
