import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { CurrentSessionPipe } from '../pipes/current-session.pipe.js';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';

// The context itself: CurrentSessionPipe, which has the module's services, makes the session.
const sessionParameter = createParamDecorator((_: unknown, context: ExecutionContext) => context);

/**
 * Injects the request's `Session`. On a route without a session it is an anonymous session that
 * is stored only once the handler writes data to it. What the handler changes is saved just
 * before the response is sent.
 *
 * @example
 * ＠Get('cart')
 * cart(＠CurrentSession() session: Session<{ cart?: string[] }>) {
 *   return session.data.cart ?? [];
 * }
 *
 * @publicApi
 */
export function CurrentSession(): ParameterDecorator {
  return (target, propertyKey, parameterIndex) => {
    // The mark tells SessionGuard that the response of this route saves the session (and so
    // applies a scheduled rotation); see SessionGuard.
    if (propertyKey !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey);
      if (descriptor && typeof descriptor.value === 'function') {
        SetMetadata(SESSION_PARAMETER_METADATA, true)(target, propertyKey, descriptor);
      }
    }
    sessionParameter(undefined, CurrentSessionPipe)(target, propertyKey, parameterIndex);
  };
}
