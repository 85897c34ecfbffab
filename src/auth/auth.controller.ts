import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentSession, Public, type Session, SessionService } from 'nest-redis-session';
import {
  ApiCrossSiteRefused,
  ApiJsonBody,
  ApiSessionRequired,
  ApiStoreUnavailable,
  ApiTooManyAttempts,
} from '../docs/api-responses.decorator.js';
import { ErrorResponse } from '../http/error-response.js';
import { TooManyAttemptsFilter } from '../throttle/too-many-attempts.filter.js';
import { PublicUserResponse } from '../users/dto/public-user-response.js';
import { toPublicUser, type PublicUser } from '../users/user.js';
import { AuthenticatedLogin } from './authenticated-login.decorator.js';
import { CredentialsService } from './credentials.service.js';
import { ElevationBody } from './dto/elevation-body.js';
import { ElevationResponse } from './dto/elevation-response.js';
import { LoginBody } from './dto/login-body.js';
import { LoginResponse } from './dto/login-response.js';
import { PasswordChangeDto } from './dto/password-change.dto.js';
import { readPasswordConfirmation } from './dto/password-confirmation.js';
import { SignupDto } from './dto/signup.dto.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import type { LoginResult } from './login-result.js';
import { SignupService } from './signup.service.js';

/**
 * Signup, login, logout, step-up and password change. Password attempts are throttled
 * (`LoginThrottle`); the filter, scoped to this controller so no global catch-all can come
 * first, answers its 429 with `Retry-After`.
 */
@ApiTags('auth')
@ApiStoreUnavailable()
@ApiCrossSiteRefused()
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
  @ApiJsonBody(SignupDto, 'Invalid input: a bad email, a password under 8 or over 256 characters.')
  @ApiCreatedResponse({ type: PublicUserResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The email is taken.' })
  async signUp(@Body() body: SignupDto): Promise<PublicUser> {
    return toPublicUser(await this.signup.signUp(body));
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiJsonBody(LoginBody)
  @ApiOkResponse({ type: LoginResponse, description: 'Set-Cookie carries a NEW session token.' })
  @ApiUnauthorizedResponse({
    type: ErrorResponse,
    description: 'Wrong email or password (the same answer for both).',
  })
  @ApiTooManyAttempts()
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
  @ApiSessionRequired()
  @ApiNoContentResponse({ description: 'The cookie is cleared; the token is dead everywhere.' })
  async logOut(@CurrentSession() session: Session): Promise<void> {
    await this.sessions.destroy(session);
  }

  /** Step-up ("sudo mode") after the user re-entered their password; a new token either way. */
  @Post('elevate')
  @HttpCode(HttpStatus.OK)
  @ApiSessionRequired('No session, or a wrong password.')
  @ApiJsonBody(ElevationBody)
  @ApiOkResponse({ type: ElevationResponse, description: 'Set-Cookie carries a NEW token.' })
  @ApiTooManyAttempts()
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
  @ApiSessionRequired('No session, or a wrong current password.')
  @ApiJsonBody(PasswordChangeDto, 'An invalid new password (under 8 or over 256 characters).')
  @ApiNoContentResponse({
    description: 'Set-Cookie carries a NEW token; every other session of the user is revoked.',
  })
  @ApiTooManyAttempts()
  async changePassword(
    @CurrentSession() session: Session,
    @Body() body: PasswordChangeDto,
  ): Promise<void> {
    await this.credentials.changePassword(session, body);
  }
}
