import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import {
  isRedisUnavailableError,
  SESSION_REDIS_CLIENT,
  SessionStoreUnavailableError,
} from 'nest-redis-session';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Role, User } from './user.js';
import { UserKeys } from './user-keys.js';
import { fromUserRecord, toUserRecord } from './user-record.js';

// Each script touches one key, so it runs unchanged on Redis Cluster.

// A compare-and-set: a plain HSET after an HGET would let a concurrent writer slip in between.
// KEYS[1] user hash. ARGV: field, expected value, new value. Replies 1 when written.
const REPLACE_FIELD_IF_UNCHANGED = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

// HSET alone would create a hash holding only this field for an unknown id.
// KEYS[1] user hash. ARGV: field, value. Replies 1 when written.
const SET_FIELD_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/** What it takes to create a user; the email must already be normalised. */
export interface NewUser {
  email: string;
  passwordHash: string;
  roles: Role[];
}

/**
 * Users in Redis, through the session module's client (same fail-fast settings). A Redis
 * outage surfaces as `SessionStoreUnavailableError`, which the module answers with 503.
 */
@Injectable()
export class UsersRepository {
  private readonly keys: UserKeys;

  constructor(
    @Inject(SESSION_REDIS_CLIENT) private readonly redis: Redis | Cluster,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.keys = new UserKeys(config.redisKeyPrefix);
  }

  /** The new user, or `null` when the email is already registered. */
  async create(newUser: NewUser): Promise<User | null> {
    const user: User = { id: randomUUID(), ...newUser, createdAt: new Date() };
    const userKey = this.keys.user(user.id);
    // The hash is written before the email is claimed: if Redis or the process dies in between,
    // what is left is a hash nothing points to, not an index entry that blocks the email forever.
    await this.call(() => this.redis.hset(userKey, toUserRecord(user)));
    const claimed = await this.call(() =>
      this.redis.set(this.keys.emailIndex(user.email), user.id, 'NX'),
    );
    if (claimed === null) {
      await this.call(() => this.redis.del(userKey));
      return null;
    }
    return user;
  }

  async findById(id: string): Promise<User | null> {
    const record = await this.call(() => this.redis.hgetall(this.keys.user(id)));
    return fromUserRecord(record);
  }

  /** The id the email index points to; the user's hash is not read. */
  findIdByEmail(normalizedEmail: string): Promise<string | null> {
    return this.call(() => this.redis.get(this.keys.emailIndex(normalizedEmail)));
  }

  /**
   * Stores `next` as the user's password hash if the stored one is still `expected` (the hash
   * the caller verified a password against). `false` when it changed meanwhile: of two
   * concurrent password changes, or a change and a login's rehash, the later writer must not
   * silently overwrite the earlier one.
   */
  async replacePasswordHash(id: string, expected: string, next: string): Promise<boolean> {
    const reply = await this.call(() =>
      this.redis.eval(
        REPLACE_FIELD_IF_UNCHANGED,
        1,
        this.keys.user(id),
        'passwordHash',
        expected,
        next,
      ),
    );
    return reply === 1;
  }

  /** Stores the user's roles; `false` when there is no such user. */
  async setRoles(id: string, roles: readonly Role[]): Promise<boolean> {
    const reply = await this.call(() =>
      this.redis.eval(SET_FIELD_IF_EXISTS, 1, this.keys.user(id), 'roles', JSON.stringify(roles)),
    );
    return reply === 1;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      if (isRedisUnavailableError(error)) throw new SessionStoreUnavailableError({ cause: error });
      throw error;
    }
  }
}
