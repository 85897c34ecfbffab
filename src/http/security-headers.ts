import type { RequestHandler } from 'express';
import helmet from 'helmet';

const ONE_YEAR_SECONDS = 31_536_000;

/**
 * helmet with a Content-Security-Policy the app's own pages can live with: everything from the
 * app's origin (`default-src 'self'`, scripts and styles as files, no inline script or plugin),
 * never framed. HSTS and `upgrade-insecure-requests` only in production, where the app is
 * reached over HTTPS; on plain-HTTP development they would break the pages.
 *
 * Plus `Cache-Control: no-store` on every answer: what a signed-in user saw is not kept by the
 * browser or a proxy, so the back button after logout shows nothing of the session (ASVS 3.3.1).
 */
export function securityHeaders(production: boolean): RequestHandler {
  const helmetHeaders = helmet({
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
        'style-src': ["'self'"],
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
  return (request, response, next) => {
    response.setHeader('Cache-Control', 'no-store');
    helmetHeaders(request, response, next);
  };
}
