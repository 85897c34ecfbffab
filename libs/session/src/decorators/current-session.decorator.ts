import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import { loadedRequestSession } from '../http/request-session.lifecycle.js';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';

const sessionParameter = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const session = loadedRequestSession(context.switchToHttp().getRequest<object>());
  if (session === undefined) throw new Error(SessionErrorMessages.missingInterceptor);
  return session;
});

/**
 * Injects the request's `Session`. On a route without a session it is an anonymous session that
 * is stored only once the handler writes data to it.
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
    // Marks the handler so the interceptor loads the session only for routes that use it.
    if (propertyKey !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey);
      if (descriptor)
        SetMetadata(SESSION_PARAMETER_METADATA, true)(target, propertyKey, descriptor);
    }
    sessionParameter()(target, propertyKey, parameterIndex);
  };
}
