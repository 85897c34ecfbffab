import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { CurrentSession, Public, type Session, SessionService } from 'nest-redis-session';
import { TooManyAttemptsFilter } from '../throttle/too-many-attempts.filter.js';
import { toPublicUser, type PublicUser } from '../users/user.js';
import { AuthenticatedLogin } from './authenticated-login.decorator.js';
import { CredentialsService } from './credentials.service.js';
import { PasswordChangeDto } from './dto/password-change.dto.js';
import { readPasswordConfirmation } from './dto/password-confirmation.js';
import { SignupDto } from './dto/signup.dto.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import type { LoginResult } from './login-result.js';
import { SignupService } from './signup.service.js';

/** Body of a successful `POST /auth/login`. */
export interface LoginResponse {
  user: PublicUser;
  session: { id: string; expiresAt: string };
}

/** Body of a successful `POST /auth/elevate`. */
export interface ElevationResponse {
  /** ISO-8601: the end of step-up mode. */
  elevatedUntil: string;
}

/**
 * Signup, login, logout, step-up and password change. Password attempts are throttled
 * (`LoginThrottle`); the filter, scoped to this controller so no global catch-all can come
 * first, answers its 429 with `Retry-After`.
 */
@Controller('auth')
@UseFilters(TooManyAttemptsFilter)
export class AuthController {
  constructor(
    private readonly signup: SignupService,
    private readonly credentials: CredentialsService,
    private readonly sessions: SessionService,
  ) {}

  @Public()
  @Post('signup')
  async signUp(@Body() body: SignupDto): Promise<PublicUser> {
    return toPublicUser(await this.signup.signUp(body));
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  async logIn(
    @AuthenticatedLogin() { user, generation }: LoginResult,
    @CurrentSession() session: Session,
  ): Promise<LoginResponse> {
    await this.sessions.establish(session, { userId: user.id, roles: user.roles, generation });
    return {
      user: toPublicUser(user),
      session: { id: session.id, expiresAt: session.expiresAt.toISOString() },
    };
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logOut(@CurrentSession() session: Session): Promise<void> {
    await this.sessions.destroy(session);
  }

  /** Step-up ("sudo mode") after the user re-entered their password; a new token either way. */
  @Post('elevate')
  @HttpCode(HttpStatus.OK)
  async elevate(
    @CurrentSession() session: Session,
    // Read by hand, as at login: an unusable body is a wrong password (401), not a 400.
    @Body() body: unknown,
  ): Promise<ElevationResponse> {
    await this.credentials.confirmPassword(session, readPasswordConfirmation(body));
    const elevatedUntil = await this.sessions.elevate(session);
    return { elevatedUntil: elevatedUntil.toISOString() };
  }

  /** A new token for this session; every other session of the user is revoked. */
  @Post('password')
  @HttpCode(HttpStatus.NO_CONTENT)
  async changePassword(
    @CurrentSession() session: Session,
    @Body() body: PasswordChangeDto,
  ): Promise<void> {
    await this.credentials.changePassword(session, body);
  }
}
