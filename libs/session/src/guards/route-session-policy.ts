import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import {
  ELEVATION_REQUIRED_METADATA,
  PUBLIC_ROUTE_METADATA,
  ROLES_REQUIRED_METADATA,
  SESSION_PARAMETER_METADATA,
} from '../session.constants.js';

type RouteTargets = Array<
  ReturnType<ExecutionContext['getHandler']> | ReturnType<ExecutionContext['getClass']>
>;

/** What a route asks of the session: `@Public()`, `@RequireRoles()`, `@RequireElevation()`. */
export interface RouteSessionPolicy {
  readonly isPublic: boolean;
  readonly roles: readonly string[];
  readonly elevation: boolean;
  /** The handler takes `@CurrentSession()`, so its response saves the session. */
  readonly commitsAfterHandler: boolean;
}

/**
 * Reads a route's decorators once and remembers them. Decorators are fixed when the class is
 * defined, while a Reflector lookup walks metadata and allocates on every request of every
 * guarded route.
 */
export class RouteSessionPolicies {
  // By class, then handler: a subclass controller shares its parent's handler functions.
  private readonly byClass = new WeakMap<object, WeakMap<object, RouteSessionPolicy>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): RouteSessionPolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.byClass.get(controller);
    if (byHandler === undefined) this.byClass.set(controller, (byHandler = new WeakMap()));
    let policy = byHandler.get(handler);
    if (policy === undefined) byHandler.set(handler, (policy = this.read(handler, controller)));
    return policy;
  }

  private read(
    handler: RouteTargets[number],
    controller: RouteTargets[number],
  ): RouteSessionPolicy {
    const reflector = this.reflector;
    const targets: RouteTargets = [handler, controller];
    const roles =
      reflector.getAllAndOverride<string[] | undefined>(ROLES_REQUIRED_METADATA, targets) ?? [];
    const elevation = Boolean(
      reflector.getAllAndOverride<boolean>(ELEVATION_REQUIRED_METADATA, targets),
    );
    return {
      commitsAfterHandler: reflector.get<boolean>(SESSION_PARAMETER_METADATA, handler) === true,
      isPublic: this.isPublic(handler, controller),
      roles,
      elevation,
    };
  }

  /**
   * `@Public()` on the handler decides; `@Public()` on the controller only for handlers that ask
   * for nothing themselves: a handler's own `@RequireRoles()` or `@RequireElevation()` inside a
   * public controller is a requirement, not something the class may silently waive.
   */
  private isPublic(handler: RouteTargets[number], controller: RouteTargets[number]): boolean {
    const reflector = this.reflector;
    const own = reflector.get<boolean | undefined>(PUBLIC_ROUTE_METADATA, handler);
    if (own !== undefined) return own;
    if (reflector.get<boolean | undefined>(PUBLIC_ROUTE_METADATA, controller) !== true) {
      return false;
    }
    return (
      reflector.get<string[] | undefined>(ROLES_REQUIRED_METADATA, handler) === undefined &&
      reflector.get<boolean | undefined>(ELEVATION_REQUIRED_METADATA, handler) === undefined
    );
  }
}
