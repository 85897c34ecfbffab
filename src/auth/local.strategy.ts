import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { AppErrorMessages } from '../app-error-messages.js';
import { normalizeEmail } from '../users/normalize-email.js';
import type { User } from '../users/user.js';
import { UsersRepository } from '../users/users.repository.js';
import { readLoginCredentials } from './dto/login-credentials.js';
import { PasswordHasher } from './password-hasher.js';

/** Email + password login. Unknown email and wrong password fail alike, in body and in time. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
  ) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  // passport-local falls back to the query string when a body field is missing; credentials
  // are read from the body only, so they never have to appear in a URL (and in access logs).
  async validate(request: Request): Promise<User> {
    const credentials = readLoginCredentials(request.body);
    if (credentials === null) throw invalidCredentials();

    const user = await this.users.findByEmail(normalizeEmail(credentials.email));
    if (user === null) {
      await this.hasher.verifyNothing(credentials.password);
      throw invalidCredentials();
    }
    if (!(await this.hasher.verify(user.passwordHash, credentials.password))) {
      throw invalidCredentials();
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      const passwordHash = await this.hasher.hash(credentials.password);
      await this.users.updatePasswordHash(user.id, passwordHash);
      return { ...user, passwordHash };
    }
    return user;
  }
}

function invalidCredentials(): UnauthorizedException {
  return new UnauthorizedException(AppErrorMessages.invalidCredentials);
}
