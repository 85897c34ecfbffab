import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { ThrottleModule } from '../throttle/throttle.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { CredentialsService } from './credentials.service.js';
import { LocalStrategy } from './local.strategy.js';
import { PasswordHasher } from './password-hasher.js';
import { SignupService } from './signup.service.js';

@Module({
  imports: [PassportModule, ThrottleModule, UsersModule],
  controllers: [AuthController],
  providers: [CredentialsService, LocalStrategy, PasswordHasher, SignupService],
})
export class AuthModule {}
