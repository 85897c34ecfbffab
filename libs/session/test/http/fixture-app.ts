import {
  BadRequestException,
  Body,
  Catch,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Module,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  Redirect,
  UseFilters,
  type ArgumentsHost,
  type DynamicModule,
  type ExceptionFilter,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import {
  CurrentSession,
  Public,
  RefuseCrossSite,
  RequireElevation,
  RequireRoles,
  SessionGuard,
  SessionModule,
  SessionService,
  SessionStoreUnavailableError,
  type Session,
  type SessionModuleOptions,
} from 'nest-redis-session';

interface FixtureData {
  visits?: number;
  cart?: string[];
  [key: string]: unknown;
}

/** An application's own answer to a store failure: it leaves Retry-After to the module. */
@Catch(SessionStoreUnavailableError)
class BareUnavailableFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(_: SessionStoreUnavailableError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<object>();
    this.adapterHost.httpAdapter.reply(response, { down: true }, 503);
  }
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
  @RefuseCrossSite()
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

  // Writes, then fails: an error response saves no data.
  @Put('data-then-fail')
  putThenFail(@CurrentSession() session: Session<FixtureData>, @Body() body: object): never {
    Object.assign(session.data, body);
    throw new BadRequestException('Refused after writing');
  }

  // Logs in, then fails: the new session exists in Redis, so its cookie must still go out.
  @Public()
  @Post('login-then-fail')
  async loginThenFail(
    @CurrentSession() session: Session<FixtureData>,
    @Body() body: { userId: string },
  ): Promise<never> {
    await this.sessions.establish(session, { userId: body.userId });
    throw new ConflictException('Failed after logging in');
  }

  @Put('data-then-redirect')
  @Redirect('/me', 303)
  putThenRedirect(@CurrentSession() session: Session<FixtureData>, @Body() body: object): void {
    Object.assign(session.data, body);
  }

  // Gives a test time to stop Redis between the session's read and its save.
  @Put('data-slowly')
  async putSlowly(
    @CurrentSession() session: Session<FixtureData>,
    @Body() body: object,
    @Query('ms') ms: string,
  ): Promise<{ ok: true }> {
    Object.assign(session.data, body);
    await sleep(Number(ms));
    return { ok: true };
  }

  // Logs in after a pause; its own filter answers a store failure without setting Retry-After,
  // as an application's filter might.
  @Public()
  @Post('login-slowly')
  @HttpCode(200)
  @UseFilters(BareUnavailableFilter)
  async loginSlowly(
    @CurrentSession() session: Session<FixtureData>,
    @Body() body: { userId: string },
    @Query('ms') ms: string,
  ): Promise<{ ok: true }> {
    await sleep(Number(ms));
    await this.sessions.establish(session, { userId: body.userId });
    return { ok: true };
  }

  // A SessionService call that takes a user id, not the request's session, answered by the
  // same bare filter.
  @Public()
  @Get('users/:userId/sessions')
  @UseFilters(BareUnavailableFilter)
  sessionsOf(@Param('userId') userId: string) {
    return this.sessions.list(userId);
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

  // A logout that loaded its session before a concurrent rotation and ends it after.
  @Post('logout-slowly')
  @HttpCode(204)
  async logoutSlowly(
    @CurrentSession() session: Session<FixtureData>,
    @Query('ms') ms: string,
  ): Promise<void> {
    await sleep(Number(ms));
    await this.sessions.destroy(session);
  }

  @Get('no-session-needed')
  @Public()
  plain(): { ok: true } {
    return { ok: true };
  }

  // Guarded, but the handler never takes the session: its response saves nothing.
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

/** A public controller: its handlers that ask for a role or elevation still get checked. */
@Public()
@Controller('open')
class OpenController {
  @Get('page')
  page(): { open: true } {
    return { open: true };
  }

  @RequireRoles('admin')
  @Get('admin')
  admin(): { admin: true } {
    return { admin: true };
  }

  @RequireElevation()
  @Get('sudo')
  sudo(): { sudo: true } {
    return { sudo: true };
  }
}

@Module({
  controllers: [FixtureController, OpenController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})
class FixtureRoutesModule {}

/** The fixture app with `SessionModule` registered the way `register` builds it. */
export async function createFixtureApp(
  register: (options: SessionModuleOptions) => DynamicModule,
  options: SessionModuleOptions,
  platform: 'express' | 'fastify' = 'express',
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [register(options), FixtureRoutesModule],
  }).compile();
  const appOptions: NestApplicationOptions = {
    logger: process.env.FIXTURE_LOG ? ['error'] : false,
  };
  if (platform === 'express') {
    const app = moduleRef.createNestApplication(appOptions);
    await app.init();
    return app;
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    new FastifyAdapter(),
    appOptions,
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const registerSync = (options: SessionModuleOptions) => SessionModule.forRoot(options);
export const registerAsync = (options: SessionModuleOptions) =>
  SessionModule.forRootAsync({ useFactory: () => Promise.resolve(options) });
