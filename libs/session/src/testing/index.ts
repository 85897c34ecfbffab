// `nest-redis-session/testing`: sessions without Redis, for testing applications. Named exports
// only; nothing here loads ioredis.
export { SessionTestingModule } from './session-testing.module.js';
export type { SessionTestingModuleOptions } from './session-testing.module.js';
export { MemorySessionStore } from './memory-session.store.js';
export type { MemorySessionStoreOptions } from './memory-session.store.js';
export { sessionCookieFor } from './session-cookie-for.js';
export type { TestSessionOptions } from './session-cookie-for.js';
