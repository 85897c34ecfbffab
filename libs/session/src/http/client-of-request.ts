import type { SessionDeviceRecord } from '../store/stored-session.js';
import { requestHeader, type HttpRequestLike } from './http-exchange.js';

// A hostile client can send a huge User-Agent; what is stored and shown stays bounded.
const MAX_USER_AGENT_LENGTH = 512;
const MAX_IP_LENGTH = 64;

/**
 * The client as the platform sees it. `request.ip` on Express and Fastify already applies the
 * app's trust-proxy setting, so X-Forwarded-For is honoured exactly when the app says so.
 */
export function clientOf(request: HttpRequestLike): SessionDeviceRecord {
  const ip = (request as { ip?: unknown }).ip;
  return {
    ip: typeof ip === 'string' ? ip.slice(0, MAX_IP_LENGTH) : '',
    userAgent: (requestHeader(request, 'user-agent') ?? '').slice(0, MAX_USER_AGENT_LENGTH),
  };
}
