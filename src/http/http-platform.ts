import type { DynamicModule, INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { HttpAdapterName, TrustProxySetting } from '../config/app-config.js';
import type { RawMiddleware } from '../logging/request-logging.middleware.js';

/** What the HTTP platform needs to know to set the app up alike on Express and Fastify. */
export interface HttpPlatformSettings {
  /** Production: HSTS and `upgrade-insecure-requests` on top of the other security headers. */
  production: boolean;
  /** `TRUST_PROXY`, with Express's meaning; `undefined` trusts no proxy. */
  trustProxy: TrustProxySetting | undefined;
  /** The largest JSON body, as body-parser reads it (`'128kb'`). */
  jsonBodyLimit: string;
  /** The request id and request log (`requestLogging`): registered first, so every answer has them. */
  requestLogging: RawMiddleware;
}

/**
 * Creates the Nest app on one platform with what differs between platforms: security headers,
 * JSON-only body parsing, trust proxy, no X-Powered-By, and the pages' static assets.
 */
export type CreateAppOnPlatform = (
  module: DynamicModule,
  settings: HttpPlatformSettings,
  options: NestApplicationOptions,
) => Promise<INestApplication>;

/**
 * The address the app listens on: every interface on both platforms. Express leaves it to Node
 * (IPv6 and IPv4, or IPv4 alone where IPv6 is off); Fastify would listen on localhost only, out
 * of reach from outside a container.
 */
export function listenHostOf(platform: HttpAdapterName): string | undefined {
  return platform === 'fastify' ? '::' : undefined;
}
