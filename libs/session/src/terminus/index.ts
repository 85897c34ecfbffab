// Optional entry point, `nest-redis-session/terminus`: needs @nestjs/terminus installed.
export { SessionRedisHealthIndicator } from './session-redis.health-indicator.js';
export type { SessionRedisHealthDetails } from './session-redis.health-indicator.js';
