import { requestHeader, type HttpRequestLike } from '../http/http-exchange.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Why a request was judged cross-site, or `null` when it may proceed. */
export type CrossSiteVerdict = 'cross-site' | 'same-site-untrusted' | 'foreign-origin' | null;

/**
 * Fetch Metadata first (`Sec-Fetch-Site`, sent by every current browser), `Origin` as the
 * fallback for browsers without it. A request with neither header is not from a browser form or script (curl, a
 * server) and cannot ride on a victim's cookie, so it passes.
 */
export function judgeCrossSite(
  request: HttpRequestLike,
  trustedOrigins: ReadonlySet<string>,
): CrossSiteVerdict {
  if (!isUnsafeMethod(request)) return null;
  const origin = requestHeader(request, 'origin');
  const site = requestHeader(request, 'sec-fetch-site');
  if (origin !== undefined && trustedOrigins.has(origin)) return null;
  if (site === 'cross-site') return 'cross-site';
  if (site === 'same-site') return 'same-site-untrusted';
  // Pages cannot set Sec-Fetch-Site, so when the browser sent it, it decides. Origin is then
  // not consulted: Firefox sends `Origin: null` on same-origin requests under
  // `Referrer-Policy: no-referrer`.
  if (site === 'same-origin' || site === 'none') return null;
  if (origin === undefined) return null;
  return origin === ownOrigin(request) ? null : 'foreign-origin';
}

/** POST, PUT, PATCH or DELETE: the methods that may change state, so CSRF defences apply. */
export function isUnsafeMethod(request: HttpRequestLike): boolean {
  const method = (request as { method?: string }).method?.toUpperCase() ?? 'GET';
  return UNSAFE_METHODS.has(method);
}

// The app's own origin as the browser sees it: scheme (trust-proxy aware on both platforms)
// and the Host header. `Origin: null` (sandboxed frames, some redirects) never matches.
function ownOrigin(request: HttpRequestLike): string | undefined {
  const host = requestHeader(request, 'host');
  if (!host) return undefined;
  const protocol = (request as { protocol?: unknown }).protocol;
  const scheme = typeof protocol === 'string' ? protocol.replace(/:$/, '') : 'http';
  return `${scheme}://${host}`;
}
