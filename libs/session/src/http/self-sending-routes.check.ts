import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  REDIRECT_METADATA,
  RENDER_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SESSION_PARAMETER_METADATA } from '../session.constants.js';

/**
 * Warns at startup about handlers that take `@CurrentSession()` but send their response
 * themselves (`@Res()` or `@Next()` without `passthrough`, or `@Sse()`). Nest then never calls
 * the adapter's reply, where the session is saved (SessionReplyHook), so what such a handler
 * changes in the session is lost. A warning, not an error: reading the session there is fine.
 */
@Injectable()
export class SelfSendingRoutesCheck implements OnModuleInit {
  private readonly logger = new Logger('SessionModule');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    for (const route of this.selfSendingSessionRoutes()) {
      this.logger.warn(
        `${route} takes @CurrentSession() but sends its own response (@Res() or @Next() without passthrough, or @Sse()): changes it makes to the session are not saved. Use @Res({ passthrough: true }) to change the session there.`,
      );
    }
  }

  /** `Controller.method` of each such handler. */
  selfSendingSessionRoutes(): string[] {
    const found: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (typeof type !== 'function') continue;
      const prototype = type.prototype as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[method] as object;
        if (Reflect.getMetadata(SESSION_PARAMETER_METADATA, handler) !== true) continue;
        if (sendsItsOwnResponse(type, method, handler)) found.push(`${type.name}.${method}`);
      }
    }
    return found;
  }
}

// As Nest decides (RouterExecutionContext): a render or redirect still goes through the adapter.
function sendsItsOwnResponse(type: object, method: string, handler: object): boolean {
  if (Reflect.getMetadata(SSE_METADATA, handler)) return true;
  if (Reflect.getMetadata(RENDER_METADATA, handler) !== undefined) return false;
  const redirect = Reflect.getMetadata(REDIRECT_METADATA, handler) as { url?: unknown } | undefined;
  if (typeof redirect?.url === 'string') return false;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, method) ?? {}) as object;
  const takesResponse = Object.keys(args).some((key) => {
    const paramtype = key.split(':')[0];
    return (
      paramtype === String(RouteParamtypes.RESPONSE) || paramtype === String(RouteParamtypes.NEXT)
    );
  });
  return takesResponse && Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, type, method) !== true;
}
