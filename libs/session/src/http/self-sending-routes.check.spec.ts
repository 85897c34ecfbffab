import 'reflect-metadata';
import { Controller, Get, Next, Redirect, Res, Sse } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Observable } from 'rxjs';
import { CurrentSession } from '../decorators/current-session.decorator.js';
import type { Session } from '../session.types.js';
import { SessionTestingModule } from '../testing/session-testing.module.js';
import { SelfSendingRoutesCheck } from './self-sending-routes.check.js';

@Controller()
class DownloadsController {
  @Get('download')
  download(@CurrentSession() session: Session, @Res() response: { end(body: string): void }) {
    response.end(session.id);
  }

  @Get('chained')
  chained(@Next() next: () => void, @CurrentSession() session: Session) {
    void session;
    next();
  }

  @Sse('events')
  events(@CurrentSession() session: Session): Observable<{ data: string }> {
    return new Observable((subscriber) => subscriber.next({ data: session.id }));
  }

  @Get('passthrough')
  passthrough(@CurrentSession() session: Session, @Res({ passthrough: true }) _: unknown) {
    return session.id;
  }

  @Get('redirect')
  @Redirect('/elsewhere')
  redirect(@CurrentSession() session: Session, @Res() _: unknown) {
    session.data = { moved: true };
  }

  @Get('plain-response')
  plainResponse(@Res() response: { end(): void }) {
    response.end();
  }
}

describe('SelfSendingRoutesCheck', () => {
  it('names the handlers that take the session but send their own response, and only those', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SessionTestingModule.forRoot()],
      controllers: [DownloadsController],
    }).compile();
    try {
      expect(moduleRef.get(SelfSendingRoutesCheck).selfSendingSessionRoutes().sort()).toEqual([
        'DownloadsController.chained',
        'DownloadsController.download',
        'DownloadsController.events',
      ]);
    } finally {
      await moduleRef.close();
    }
  });
});
