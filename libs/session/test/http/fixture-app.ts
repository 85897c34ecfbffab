import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Module,
  NotFoundException,
  Param,
  Post,
  Put,
  type DynamicModule,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import {
  CurrentSession,
  Public,
  RequireElevation,
  RequireRoles,
  SessionGuard,
  SessionModule,
  SessionService,
  type Session,
  type SessionModuleOptions,
} from 'nest-redis-session';

interface FixtureData {
  visits?: number;
  cart?: string[];
  [key: string]: unknown;
}

/** Routes that exercise each library feature, under a global SessionGuard. */
@Controller()
class FixtureController {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Get('public/ping')
  ping(): { ok: true } {
    return { ok: true };
  }

  @Public()
  @Get('public/session')
  peek(@CurrentSession() session: Session<FixtureData>) {
    return {
      id: session.id,
      userId: session.userId,
      data: session.data,
      persisted: session.isPersisted,
    };
  }

  @Public()
  @Post('public/cart')
  @HttpCode(200)
  addToCart(@CurrentSession() session: Session<FixtureData>, @Body() body: { item: string }) {
    session.data.cart = [...(session.data.cart ?? []), body.item];
    return { cart: session.data.cart };
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @CurrentSession() session: Session<FixtureData>,
    @Body() body: { userId: string; roles?: string[] },
  ) {
    await this.sessions.establish(session, { userId: body.userId, roles: body.roles });
    return { id: session.id, userId: session.userId, expiresAt: session.expiresAt };
  }

  @Post('elevate')
  @HttpCode(200)
  async elevate(@CurrentSession() session: Session<FixtureData>) {
    return { elevatedUntil: await this.sessions.elevate(session) };
  }

  @RequireRoles('admin')
  @RequireElevation()
  @Get('admin')
  admin(@CurrentSession() session: Session<FixtureData>) {
    return { roles: session.roles };
  }

  @Get('devices')
  devices(@CurrentSession() session: Session<FixtureData>) {
    return this.sessions.list(session.userId!, session);
  }

  @Delete('devices/:id')
  @HttpCode(204)
  async revoke(@CurrentSession() session: Session<FixtureData>, @Param('id') id: string) {
    if (!(await this.sessions.revoke(session.userId!, id)))
      throw new NotFoundException('Session not found');
  }

  @Delete('devices')
  @HttpCode(200)
  async revokeOthers(@CurrentSession() session: Session<FixtureData>) {
    return { revoked: await this.sessions.revokeOthers(session) };
  }

  @Post('password-changed')
  @HttpCode(204)
  async passwordChanged(@CurrentSession() session: Session<FixtureData>): Promise<void> {
    await this.sessions.credentialsChanged(session);
  }

  @Get('me')
  me(@CurrentSession() session: Session<FixtureData>) {
    return { id: session.id, userId: session.userId, roles: session.roles, data: session.data };
  }

  @Put('data')
  put(@CurrentSession() session: Session<FixtureData>, @Body() body: Record<string, unknown>) {
    Object.assign(session.data, body);
    return { ok: true };
  }

  @Post('rotate')
  @HttpCode(200)
  async rotate(@CurrentSession() session: Session<FixtureData>) {
    await this.sessions.rotate(session);
    return { id: session.id };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentSession() session: Session<FixtureData>): Promise<void> {
    await this.sessions.destroy(session);
  }

  @Get('no-session-needed')
  @Public()
  plain(): { ok: true } {
    return { ok: true };
  }

  // Guarded, but the handler never takes the session: no commit interceptor runs after it.
  @Get('signed-in')
  signedIn(): { ok: true } {
    return { ok: true };
  }

  @Post('users/:userId/roles')
  async setRoles(
    @Param('userId') userId: string,
    @Body() body: { roles: string[] },
  ): Promise<{ updated: number }> {
    return { updated: await this.sessions.updateUser(userId, { roles: body.roles }) };
  }
}

@Module({
  controllers: [FixtureController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})
class FixtureRoutesModule {}

/** The fixture app with `SessionModule` registered the way `register` builds it. */
export async function createFixtureApp(
  register: (options: SessionModuleOptions) => DynamicModule,
  options: SessionModuleOptions,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [register(options), FixtureRoutesModule],
  }).compile();
  const app = moduleRef.createNestApplication({
    logger: process.env.FIXTURE_LOG ? ['error'] : false,
  });
  await app.init();
  return app;
}

export const registerSync = (options: SessionModuleOptions) => SessionModule.forRoot(options);
export const registerAsync = (options: SessionModuleOptions) =>
  SessionModule.forRootAsync({ useFactory: () => Promise.resolve(options) });
