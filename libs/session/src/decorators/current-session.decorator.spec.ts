import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import { INTERCEPTORS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { CurrentSessionPipe } from '../pipes/current-session.pipe.js';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';
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

type Route = 'uses' | 'twice' | 'plain';

// Metadata sits on the prototype's function itself, as Nest reads it.
const handler = (name: Route) =>
  Object.getOwnPropertyDescriptor(RoutesController.prototype, name)?.value as object;

const pipesOf = (name: Route): unknown[][] => {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, RoutesController, name) ?? {}) as Record<
    string,
    { pipes: unknown[] }
  >;
  return Object.values(args).map((arg) => arg.pipes);
};

describe('@CurrentSession()', () => {
  it('resolves the parameter through CurrentSessionPipe, once per parameter', () => {
    expect(pipesOf('uses')).toEqual([[CurrentSessionPipe]]);
    expect(pipesOf('twice')).toEqual([[CurrentSessionPipe], [CurrentSessionPipe]]);
    expect(pipesOf('plain')).toEqual([]);
  });

  it('marks the handler as one whose response saves the session, for SessionGuard', () => {
    expect(Reflect.getMetadata(SESSION_PARAMETER_METADATA, handler('uses'))).toBe(true);
    expect(Reflect.getMetadata(SESSION_PARAMETER_METADATA, handler('twice'))).toBe(true);
    expect(Reflect.getMetadata(SESSION_PARAMETER_METADATA, handler('plain'))).toBeUndefined();
  });

  it('puts no interceptor on any handler: a route does not enter Nest interceptor chain for the session', () => {
    for (const name of ['uses', 'twice', 'plain'] as const) {
      expect(Reflect.getMetadata(INTERCEPTORS_METADATA, handler(name))).toBeUndefined();
    }
  });
});
