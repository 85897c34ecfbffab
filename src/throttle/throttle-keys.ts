import { createHash } from 'node:crypto';

/**
 * The key prefixes of the login throttle's counters. rate-limiter-flexible appends `:<key>`,
 * so Redis holds, for a `REDIS_KEY_PREFIX` of `<prefix>`:
 *
 *   <prefix>app:throttle:address:<client address>        failures from one address (or IPv6 /64)
 *   <prefix>app:throttle:account:<sha256(email)>          failures for one account, per window
 *   <prefix>app:throttle:account-hour:<sha256(email)>     the account's hourly cap
 *
 * each a counter with a TTL, changed only by one single-key script (SET NX EX + INCRBY + PTTL),
 * a single-key DEL or a MULTI on that one key, so they work unchanged on Redis Cluster. The
 * email is hashed into the key: a key stays short and free of `{}` (a Cluster hash tag)
 * whatever the address holds.
 */
export class ThrottleKeys {
  constructor(private readonly prefix: string) {}

  get addressPrefix(): string {
    return `${this.prefix}app:throttle:address`;
  }

  get accountPrefix(): string {
    return `${this.prefix}app:throttle:account`;
  }

  get accountHourPrefix(): string {
    return `${this.prefix}app:throttle:account-hour`;
  }

  /** The account part of a key: base64url SHA-256 of the normalised email. */
  static account(normalizedEmail: string): string {
    return createHash('sha256').update(normalizedEmail).digest('base64url');
  }
}
