import { parseCookie, stringifySetCookie } from 'cookie';
import type { ResolvedSessionOptions } from '../options/resolved-session-options.js';

type CookieOptions = ResolvedSessionOptions['cookie'];

/** What the request's Cookie header says about the session cookie. */
export interface IncomingSessionCookie {
  /** The cookie's raw value when it appears exactly once. */
  readonly value: string | undefined;
  /** The cookie name appeared at all (so a rejected value should be cleared). */
  readonly present: boolean;
}

// Values are taken verbatim: a %-encoded token must not decode into a valid one.
const verbatim = (value: string): string => value;

export function readSessionCookie(header: string | undefined, name: string): IncomingSessionCookie {
  if (!header || !header.includes(name)) return { value: undefined, present: false };
  const value = parseCookie(header, { decode: verbatim })[name];
  if (value === undefined) return { value: undefined, present: false };
  // Two cookies of one name are ambiguous (one may be planted from a sibling domain): no session.
  // Only a header that holds the name twice can have two (every request pays this check).
  if (header.indexOf(name) === header.lastIndexOf(name)) return { value, present: true };
  const occurrences = header
    .split(';')
    .filter((part) => part.slice(0, part.indexOf('=')).trim() === name).length;
  return { value: occurrences === 1 ? value : undefined, present: true };
}

/** Set-Cookie for a token: HttpOnly, SameSite, Path=/, Secure when configured, no Domain. */
export function sessionCookieHeader(options: CookieOptions, token: string): string {
  return stringifySetCookie({
    name: options.name,
    value: token,
    httpOnly: true,
    sameSite: options.sameSite,
    secure: options.secure,
    path: '/',
  });
}

/** Set-Cookie that makes the browser drop the session cookie. */
export function clearedSessionCookieHeader(options: CookieOptions): string {
  return stringifySetCookie({
    name: options.name,
    value: '',
    httpOnly: true,
    sameSite: options.sameSite,
    secure: options.secure,
    path: '/',
    maxAge: 0,
    expires: new Date(0),
  });
}
