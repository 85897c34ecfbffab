// Web `Response`s, which Nest sends with their own status and headers on either HTTP platform.
// Any Set-Cookie the session module put on the response (a dead cookie cleared) is kept.

// A page's answer depends on the session cookie (the form, or a redirect): never cache it.
const NO_STORE = 'no-store';

/** A 200 HTML document. */
export function htmlPage(html: string): Response {
  return new Response(html, {
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': NO_STORE },
  });
}

/** A 302 to another page of the app. */
export function redirectTo(path: `/${string}`): Response {
  return new Response(null, {
    status: 302,
    headers: { Location: path, 'Cache-Control': NO_STORE },
  });
}
