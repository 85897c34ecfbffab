import { randomUUID } from 'node:crypto';
import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { SessionService } from 'nest-redis-session';
import { Strategy } from 'passport-local';
import { AppErrorMessages } from '../app-error-messages.js';
import { LoginThrottle } from '../throttle/login-throttle.js';
import { normalizeEmail } from '../users/normalize-email.js';
import { UsersRepository } from '../users/users.repository.js';
import { readLoginCredentials } from './dto/login-credentials.js';
import type { LoginResult } from './login-result.js';
import { PasswordHasher } from './password-hasher.js';

/** Email + password login. Unknown email and wrong password fail alike, in body and in time. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
  ) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  // passport-local falls back to the query string when a body field is missing; credentials
  // are read from the body only, so they never have to appear in a URL (and in access logs).
  async validate(request: Request): Promise<LoginResult> {
    const credentials = readLoginCredentials(request.body);
    if (credentials === null) throw invalidCredentials();
    const email = normalizeEmail(credentials.email);
    // Before anything is looked up: a throttled attempt is refused alike for every email.
    await this.throttle.admitLogin(email, request.ip);

    const id = await this.users.findIdByEmail(email);
    // An unknown email looks up a user id that exists nowhere: the same Redis reads as a known
    // one, so that neither the reads nor argon2 below make its answer faster (S7).
    const lookupId = id ?? randomUUID();
    // The generation is read before the user's hash. A password change stores the new hash and
    // only then bumps the generation (credentialsChanged), so a login that still reads the old
    // hash also holds the old generation, and establish() refuses it; so does an admin's
    // logout-everywhere that runs while argon2 verifies.
    const generation = await this.sessions.generation(lookupId);
    const user = await this.users.findById(lookupId);
    if (id === null || user === null) {
      await this.hasher.verifyNothing(credentials.password);
      throw invalidCredentials();
    }
    if (!(await this.hasher.verify(user.passwordHash, credentials.password))) {
      throw invalidCredentials();
    }
    await this.throttle.loginSucceeded(email, request.ip);
    if (this.hasher.needsRehash(user.passwordHash)) {
      const passwordHash = await this.hasher.hash(credentials.password);
      // A password changed during this login must not be overwritten with the old one.
      if (!(await this.users.replacePasswordHash(user.id, user.passwordHash, passwordHash))) {
        throw invalidCredentials();
      }
      return { user: { ...user, passwordHash }, generation };
    }
    return { user, generation };
  }
}

function invalidCredentials(): UnauthorizedException {
  return new UnauthorizedException(AppErrorMessages.invalidCredentials);
}
