import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { API_DOCS_PATH } from '../docs/api-docs-paths.js';

const ONE_YEAR_SECONDS = 31_536_000;

/** Middleware on Node's own request and response, as both platforms run it. */
export type NodeMiddleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * helmet with a Content-Security-Policy the app's own pages can live with: everything from the
 * app's origin (`default-src 'self'`, scripts and styles as files, no inline script or plugin),
 * never framed. HSTS and `upgrade-insecure-requests` only in production, where the app is
 * reached over HTTPS; on plain-HTTP development they would break the pages.
 *
 * Plus `Cache-Control: no-store` on every answer: what a signed-in user saw is not kept by the
 * browser or a proxy, so the back button after logout shows nothing of the session (ASVS 3.3.1).
 */
export function securityHeaders(production: boolean): NodeMiddleware {
  const helmetHeaders = helmetFor(production, ["'self'"]);
  // Swagger UI's page has inline <style> blocks and style attributes (its scripts are files), so
  // under /docs only, styles may be inline. Scripts stay 'self': an inline style cannot run code.
  const docsHelmetHeaders = helmetFor(production, ["'self'", "'unsafe-inline'"]);
  return (request, response, next) => {
    response.setHeader('Cache-Control', 'no-store');
    const url = request.url ?? '';
    const docs = url === API_DOCS_PATH || url.startsWith(`${API_DOCS_PATH}/`);
    (docs ? docsHelmetHeaders : helmetHeaders)(request, response, next);
  };
}

function helmetFor(production: boolean, styleSrc: string[]): NodeMiddleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': styleSrc,
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        ...(production ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: production
      ? { maxAge: ONE_YEAR_SECONDS, includeSubDomains: true }
      : false,
  });
}
