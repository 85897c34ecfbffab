import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { RedisSessionStore } from 'nest-redis-session';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { sessionStoreContract } from './session-store.contract.js';

// One client for the file; every test gets a store in a key namespace of its own.
const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
afterAll(() => client.quit());

sessionStoreContract(
  'RedisSessionStore',
  (options) => new RedisSessionStore(client, uniquePrefix('contract'), options),
);
