import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  Post,
  Put,
  Res,
  type INestApplication,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyReply } from 'fastify';
import {
  CurrentSession,
  Public,
  SessionGuard,
  SessionModule,
  SessionService,
  type Session,
  type SessionModuleOptions,
} from 'nest-redis-session';

/** A cookie of the application's own, set by a handler next to the session cookie. */
export const HANDLER_COOKIE = 'theme=dark; Path=/';
/** A cookie set by Express-style middleware on Node's response, before Fastify's reply. */
export const MIDDLEWARE_COOKIE = 'seen=1; Path=/';

/** The routes a consumer writes: log in, read the session, change it, rotate, log out. */
@Controller()
class AccountController {
  constructor(private readonly sessions: SessionService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(
    @CurrentSession() session: Session<{ cart?: string[] }>,
    @Body() body: { userId: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    reply.header('set-cookie', HANDLER_COOKIE);
    await this.sessions.establish(session, { userId: body.userId });
    return { id: session.id, userId: session.userId };
  }

  @Get('me')
  me(@CurrentSession() session: Session<{ cart?: string[] }>) {
    return { id: session.id, userId: session.userId, data: session.data };
  }

  @Put('cart')
  cart(@CurrentSession() session: Session<{ cart?: string[] }>, @Body() body: { item: string }) {
    session.data.cart = [...(session.data.cart ?? []), body.item];
    return { cart: session.data.cart };
  }

  @Get('devices')
  devices(@CurrentSession() session: Session) {
    return this.sessions.list(session.userId!, session);
  }

  @Post('rotate')
  @HttpCode(200)
  async rotate(@CurrentSession() session: Session) {
    await this.sessions.rotate(session);
    return { id: session.id };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentSession() session: Session): Promise<void> {
    await this.sessions.destroy(session);
  }
}

@Module({
  controllers: [AccountController],
  providers: [{ provide: APP_GUARD, useClass: SessionGuard }],
})
class AccountModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_request: IncomingMessage, response: ServerResponse, next: () => void) => {
        response.setHeader('Set-Cookie', MIDDLEWARE_COOKIE);
        next();
      })
      .forRoutes('login');
  }
}

/** A minimal consumer app on `@nestjs/platform-fastify`, ready for supertest. */
export async function createFastifyApp(options: SessionModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [SessionModule.forRoot(options), AccountModule],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: process.env.FIXTURE_LOG ? ['error'] : false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
