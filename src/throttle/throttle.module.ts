import { Module } from '@nestjs/common';
import { LoginThrottle } from './login-throttle.js';

/** Password-attempt budgets shared by every app instance through Redis. */
@Module({
  providers: [LoginThrottle],
  exports: [LoginThrottle],
})
export class ThrottleModule {}
