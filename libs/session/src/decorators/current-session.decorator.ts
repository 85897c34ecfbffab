import {
  createParamDecorator,
  SetMetadata,
  UseInterceptors,
  type ExecutionContext,
} from '@nestjs/common';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import { committingRequestSession } from '../http/request-session.lifecycle.js';
import { SessionCommitInterceptor } from '../interceptors/session-commit.interceptor.js';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';

const sessionParameter = createParamDecorator((_: unknown, context: ExecutionContext) => {
  // Only a session the commit interceptor loaded is saved after the handler: one the guard
  // loaded on a route whose interceptor metadata was lost (a decorator that replaced the method)
  // would drop every change silently.
  const session = committingRequestSession(context.switchToHttp().getRequest<object>());
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
    // The commit interceptor goes on the handler itself, once however many parameters ask:
    // routes that never use the session never enter an interceptor of ours. The mark tells the
    // guard that this route commits (see SessionGuard).
    if (propertyKey !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, propertyKey);
      const handler: unknown = descriptor?.value;
      if (
        descriptor &&
        typeof handler === 'function' &&
        Reflect.getMetadata(SESSION_PARAMETER_METADATA, handler) !== true
      ) {
        SetMetadata(SESSION_PARAMETER_METADATA, true)(target, propertyKey, descriptor);
        UseInterceptors(SessionCommitInterceptor)(target, propertyKey, descriptor);
      }
    }
    sessionParameter()(target, propertyKey, parameterIndex);
  };
}
