import { Injectable, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import { SessionErrorMessages } from '../errors/session-error-messages.js';
import { RequestSessionLifecycle } from '../http/request-session.lifecycle.js';
import type { RequestSession } from '../http/request-session.js';

/**
 * Turns the execution context `@CurrentSession()` extracts into the request's session. A pipe
 * because it needs the module's lifecycle (dependency injection), which a parameter decorator's
 * factory cannot reach; Nest creates it in each module whose controllers use the decorator.
 */
@Injectable()
export class CurrentSessionPipe implements PipeTransform<ExecutionContext> {
  constructor(private readonly lifecycle: RequestSessionLifecycle) {}

  transform(context: ExecutionContext): RequestSession | Promise<RequestSession> {
    if (context.getType() !== 'http') throw new Error(SessionErrorMessages.notAnHttpRoute);
    const http = context.switchToHttp();
    return this.lifecycle.sessionForHandler(http.getRequest<object>(), http.getResponse<object>());
  }
}
