// The public API of nest-redis-session: named exports only.
export { SessionModule } from './session.module.js';
export {
  SESSION_MODULE_OPTIONS,
  SESSION_MODULE_OPTIONS_TYPE,
  SESSION_MODULE_ASYNC_OPTIONS_TYPE,
} from './session.module-definition.js';
export { SessionService } from './session.service.js';
export { SessionGuard } from './guards/session.guard.js';
export { Public } from './decorators/public.decorator.js';
export { RefuseCrossSite } from './decorators/refuse-cross-site.decorator.js';
export { CurrentSession } from './decorators/current-session.decorator.js';
export { RequireElevation } from './decorators/require-elevation.decorator.js';
export { RequireRoles } from './decorators/require-roles.decorator.js';
export type { Session, SessionInfo, SessionPrincipal } from './session.types.js';
export { SessionEvents } from './events/session-events.js';
export type {
  SessionEventMap,
  SessionEventName,
  SessionEventBase,
  SessionRotationReason,
  SessionRevocationReason,
  SessionLookupOutcome,
} from './events/session-events.js';
export { SessionStore } from './store/session-store.js';
export { RedisSessionStore } from './store/redis-session.store.js';
export type { RedisSessionStoreOptions } from './store/redis-session.store.js';
export type {
  StoredSession,
  SessionDataChange,
  SessionClock,
  SessionReadResult,
  SessionCreateResult,
  SessionDeviceRecord,
  SessionLimit,
  StoredSessionSummary,
} from './store/stored-session.js';
export type { SessionCreateOptions } from './store/session-store.js';
export type { SessionAddress, TokenDigest, ShardTag } from './token/session-token.js';
export { SESSION_REDIS_CLIENT } from './session.constants.js';
export type { SessionRedisClient } from './redis/create-redis-client.js';
export { failFastRedisOptions } from './redis/create-redis-client.js';
export { isRedisUnavailableError } from './redis/is-redis-unavailable-error.js';
export type {
  SessionModuleOptions,
  SessionRedisOption,
  SessionRedisClientOption,
  SessionRedisUrlOption,
  SessionRedisSentinelOption,
  SessionRedisClusterOption,
  SessionCookieOptions,
  SessionCookieSameSite,
  SessionReplicaAcknowledgement,
  SessionSocketWrites,
  SessionCsrfOptions,
} from './options/session-module-options.interface.js';
export { DEFAULT_SESSION_OPTIONS } from './options/session-defaults.js';
export { InvalidSessionOptionsError } from './errors/invalid-session-options.error.js';
export { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
export { SessionDataError } from './errors/session-data.error.js';
export { SessionDataTooLargeError } from './errors/session-data-too-large.error.js';
export { SessionLimitReachedError } from './errors/session-limit-reached.error.js';
