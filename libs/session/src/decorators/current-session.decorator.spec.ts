import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { SessionCommitInterceptor } from '../interceptors/session-commit.interceptor.js';
import type { Session } from '../session.types.js';
import { CurrentSession } from './current-session.decorator.js';

@Controller()
class RoutesController {
  @Get('uses')
  uses(@CurrentSession() session: Session) {
    return session.id;
  }

  @Get('twice')
  twice(@CurrentSession() first: Session, @CurrentSession() second: Session) {
    return first === second;
  }

  @Get('plain')
  plain() {
    return 'no session';
  }
}

// Metadata sits on the prototype's function itself, as Nest reads it.
const interceptorsOf = (name: 'uses' | 'twice' | 'plain'): unknown[] | undefined =>
  Reflect.getMetadata(
    INTERCEPTORS_METADATA,
    Object.getOwnPropertyDescriptor(RoutesController.prototype, name)?.value as object,
  ) as unknown[] | undefined;

describe('@CurrentSession()', () => {
  it('puts the commit interceptor on the handler that takes the session', () => {
    expect(interceptorsOf('uses')).toEqual([SessionCommitInterceptor]);
  });

  it('puts it there once when several parameters take the session (one commit, one cookie)', () => {
    expect(interceptorsOf('twice')).toEqual([SessionCommitInterceptor]);
  });

  it('leaves a handler that does not take the session without any interceptor', () => {
    expect(interceptorsOf('plain')).toBeUndefined();
  });
});
