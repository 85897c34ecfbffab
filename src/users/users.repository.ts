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

  async findByEmail(normalizedEmail: string): Promise<User | null> {
    const id = await this.call(() => this.redis.get(this.keys.emailIndex(normalizedEmail)));
    return id === null ? null : this.findById(id);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.call(() => this.redis.hset(this.keys.user(id), 'passwordHash', passwordHash));
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
