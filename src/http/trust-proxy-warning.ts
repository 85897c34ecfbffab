import type { LoggerService } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';

/** The one line logged at start in production without `TRUST_PROXY`. */
export const TRUST_PROXY_WARNING =
  'NODE_ENV=production but TRUST_PROXY is not set: session cookies are Secure (__Host-sid) and ' +
  'browsers send them over HTTPS only, yet this app cannot tell that a client talked HTTPS to a ' +
  'TLS-terminating proxy in front of it (it sees plain HTTP from the proxy, so logged-in POSTs ' +
  'fail the Origin check and every client shares the proxy address in login throttling). ' +
  'Run it behind HTTPS and set TRUST_PROXY to the proxy hop count or addresses, e.g. ' +
  'TRUST_PROXY=1 or TRUST_PROXY=10.0.0.0/8';

/** Logs `TRUST_PROXY_WARNING` once when the configuration calls for it. */
export function warnIfProxyUntrusted(config: AppConfig, logger: LoggerService): void {
  if (config.production && config.trustProxy === undefined) logger.warn(TRUST_PROXY_WARNING);
}
