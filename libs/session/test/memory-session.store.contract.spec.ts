import { MemorySessionStore } from 'nest-redis-session/testing';
import { sessionStoreContract } from './session-store.contract.js';

sessionStoreContract('MemorySessionStore', (options) => new MemorySessionStore(options));
