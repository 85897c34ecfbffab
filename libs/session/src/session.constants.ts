/** Metadata key set by `@Public()`. */
export const PUBLIC_ROUTE_METADATA = 'session:public';

/** Metadata key set on a handler that declares a `@CurrentSession()` parameter. */
export const SESSION_PARAMETER_METADATA = 'session:parameter';

/** DI token of the resolved (defaulted and validated) module options. */
export const RESOLVED_SESSION_OPTIONS = Symbol('nest-redis-session:resolved-options');

/** DI token of the ioredis client (`Redis` or `Cluster`) the module stores sessions with. */
export const SESSION_REDIS_CLIENT = Symbol('nest-redis-session:redis-client');
