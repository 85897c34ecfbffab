import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import {
  isRedisUnavailableError,
  SESSION_REDIS_CLIENT,
  SessionStoreUnavailableError,
} from 'nest-redis-session';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { throttleAddress } from './client-address.js';
import { ThrottleKeys } from './throttle-keys.js';
import { TooManyAttemptsException } from './too-many-attempts.exception.js';

/**
 * The hourly cap: 50 failures per fixed one-hour window. Any 60 minutes overlap at most two
 * such windows, so an account can never see more than 100 failed attempts in an hour (ASVS
 * 2.2.1), even when its owner's successful logins keep resetting the per-window counter.
 */
const HOURLY_CAP_FAILURES = 50;
const HOUR_SECONDS = 3600;

/**
 * Counts failed password attempts in Redis, so every app instance shares the same budgets:
 * per client address (logins only) and per account (logins, step-up, password changes).
 *
 * An attempt is counted BEFORE its password is checked, and given back when it was right:
 * concurrent guesses cannot all slip in while the counter still reads "under the limit", and
 * argon2 never runs for a throttled attempt. The account is keyed by the normalised email
 * whether or not anyone registered it, so known and unknown emails are throttled alike.
 */
@Injectable()
export class LoginThrottle {
  private readonly perAddress: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;
  private readonly perAccountHourly: RateLimiterRedis;

  constructor(
    @Inject(SESSION_REDIS_CLIENT) redis: Redis | Cluster,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const keys = new ThrottleKeys(config.redisKeyPrefix);
    const { maxFailuresPerIp, maxFailuresPerEmail, failureWindowSeconds } = config.loginThrottle;
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.addressPrefix,
      points: maxFailuresPerIp,
      duration: failureWindowSeconds,
    });
    this.perAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.accountPrefix,
      points: maxFailuresPerEmail,
      duration: failureWindowSeconds,
    });
    this.perAccountHourly = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.accountHourPrefix,
      points: HOURLY_CAP_FAILURES,
      duration: HOUR_SECONDS,
    });
  }

  /**
   * Counts a login attempt for the client address and the account. Throws
   * `TooManyAttemptsException` (429) when either budget is spent, and
   * `SessionStoreUnavailableError` (503) when Redis cannot say.
   */
  async admitLogin(normalizedEmail: string, ip: string | undefined): Promise<void> {
    // One at a time, cheapest refusal first: an address over its budget spends nothing of the
    // account's, so a credential-stuffing run does not lock out every account it names.
    await this.take(this.perAddress, throttleAddress(ip));
    await this.admitPasswordCheck(normalizedEmail);
  }

  /**
   * The right password was given at login: as `passwordCheckSucceeded`, and the address gets
   * its attempt back (it counts failures only).
   */
  async loginSucceeded(normalizedEmail: string, ip: string | undefined): Promise<void> {
    await Promise.all([
      this.call(() => this.perAddress.reward(throttleAddress(ip), 1)),
      this.passwordCheckSucceeded(normalizedEmail),
    ]);
  }

  /**
   * Counts a password re-entered by a signed-in user (step-up, password change) against the
   * account's budget, the one its logins use.
   */
  async admitPasswordCheck(normalizedEmail: string): Promise<void> {
    const account = ThrottleKeys.account(normalizedEmail);
    await this.take(this.perAccount, account);
    await this.take(this.perAccountHourly, account);
  }

  /** The right password: the account's counter starts over; the hourly cap counts failures only. */
  async passwordCheckSucceeded(normalizedEmail: string): Promise<void> {
    const account = ThrottleKeys.account(normalizedEmail);
    await Promise.all([
      this.call(() => this.perAccount.delete(account)),
      this.call(() => this.perAccountHourly.reward(account, 1)),
    ]);
  }

  private async take(limiter: RateLimiterRedis, key: string): Promise<void> {
    try {
      await limiter.consume(key, 1);
    } catch (rejection) {
      // rate-limiter-flexible rejects with a RateLimiterRes when the budget is spent.
      if (rejection instanceof RateLimiterRes) {
        throw new TooManyAttemptsException(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw toUnavailable(rejection);
    }
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw toUnavailable(error);
    }
  }
}

/** Connection and timeout errors become the 503 of every other Redis outage; bugs stay bugs. */
function toUnavailable(error: unknown): unknown {
  return isRedisUnavailableError(error)
    ? new SessionStoreUnavailableError({ cause: error })
    : error;
}
