/** Metadata key set by `@Public()`. */
export const PUBLIC_ROUTE_METADATA = 'session:public';

/** Metadata key set on a handler that declares a `@CurrentSession()` parameter. */
export const SESSION_PARAMETER_METADATA = 'session:parameter';

/** DI token of the resolved (defaulted and validated) module options. */
export const RESOLVED_SESSION_OPTIONS = Symbol('nest-redis-session:resolved-options');

/** DI token of the ioredis client (`Redis` or `Cluster`) the module stores sessions with. */
export const SESSION_REDIS_CLIENT = Symbol('nest-redis-session:redis-client');

/** Metadata key set by `@RequireElevation()`. */
export const ELEVATION_REQUIRED_METADATA = 'session:elevation-required';

/** Metadata key set by `@RequireRoles()`. */
export const ROLES_REQUIRED_METADATA = 'session:roles-required';

/** Metadata key set by `@RefuseCrossSite()`. */
export const REFUSE_CROSS_SITE_METADATA = 'session:refuse-cross-site';
