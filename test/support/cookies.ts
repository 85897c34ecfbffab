export interface ParsedSetCookie {
  name: string;
  value: string;
  /** Attribute names lowercased; flag attributes such as `HttpOnly` map to `true`. */
  attributes: Record<string, string | true>;
}

export type SessionCookieName = 'sid' | '__Host-sid';

/** Anything with Node-style headers: a supertest/superagent response fits. */
export interface ResponseWithHeaders {
  headers: Record<string, unknown>;
}

export function getSetCookies(res: ResponseWithHeaders): string[] {
  const header = res.headers['set-cookie'];
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header]).map(String);
}

export function parseSetCookie(header: string): ParsedSetCookie {
  const [pair = '', ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new Error(`Set-Cookie without a name=value pair: ${header}`);
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const attrEq = part.indexOf('=');
    const key = (attrEq === -1 ? part : part.slice(0, attrEq)).trim().toLowerCase();
    if (key === '') continue;
    attributes[key] = attrEq === -1 ? true : part.slice(attrEq + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

/**
 * The session cookie set by this response (`sid` or `__Host-sid` unless a name is given).
 * The last match wins because that is the one a browser keeps when a response clears and
 * then sets the cookie.
 */
export function findSessionCookie(
  res: ResponseWithHeaders,
  name?: SessionCookieName,
): ParsedSetCookie | undefined {
  const wanted: readonly string[] = name === undefined ? ['sid', '__Host-sid'] : [name];
  return getSetCookies(res)
    .map(parseSetCookie)
    .filter((cookie) => wanted.includes(cookie.name))
    .at(-1);
}

/** A `Cookie` request header value carrying one cookie. */
export function cookieHeader(name: string, value: string): string {
  return `${name}=${value}`;
}
