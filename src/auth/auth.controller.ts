import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { CurrentSession, Public, type Session, SessionService } from 'nest-redis-session';
import { toPublicUser, type PublicUser, type User } from '../users/user.js';
import { AuthenticatedUser } from './authenticated-user.decorator.js';
import { SignupDto } from './dto/signup.dto.js';
import { LocalAuthGuard } from './local-auth.guard.js';
import { SignupService } from './signup.service.js';

/** Body of a successful `POST /auth/login`. */
export interface LoginResponse {
  user: PublicUser;
  session: { id: string; expiresAt: string };
}

@Controller('auth')
export class AuthController {
  constructor(
    private readonly signup: SignupService,
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
    @AuthenticatedUser() user: User,
    @CurrentSession() session: Session,
  ): Promise<LoginResponse> {
    await this.sessions.establish(session, { userId: user.id });
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
}
