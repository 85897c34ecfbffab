import type { StoredSession } from './stored-session.js';
import { packUserAgent, unpackUserAgent } from './user-agent-codec.js';

/**
 * Hash field names of a stored session. Kept to one character because they repeat in every
 * session; application data keys get a "." prefix so they can never collide with these.
 *
 * Why the record is shaped for bytes: Redis keeps a hash as a compact listpack only while every
 * value is at most 64 bytes, and a listpack stores a number in 5 bytes below 2^31 but 9 above.
 * So the User-Agent is packed (user-agent-codec.ts), createdAt (c) is epoch milliseconds, and
 * lastSeenAt (l) and absoluteExpiresAt (a) are milliseconds counted from createdAt: small
 * numbers, exact to the millisecond.
 */
export const SessionField = {
  publicId: 'p',
  userId: 'u',
  createdAt: 'c',
  lastSeenAt: 'l',
  absoluteExpiresAt: 'a',
  roles: 'r',
  elevatedUntil: 'e',
  ip: 'ip',
  userAgent: 'ua',
  rotationDue: 'x',
  csrfSecret: 'k',
} as const;

const DATA_FIELD_PREFIX = '.';

export function dataField(key: string): string {
  return DATA_FIELD_PREFIX + key;
}

/**
 * Flat field/value list for HSET. p, c, l and a come first, in that order: the read script
 * finds them there without scanning the hash (see session-scripts.ts).
 */
export function encodeStoredSession(session: StoredSession): string[] {
  const fields = [
    SessionField.publicId,
    session.publicId,
    SessionField.createdAt,
    String(session.createdAt),
    SessionField.lastSeenAt,
    String(session.lastSeenAt - session.createdAt),
    SessionField.absoluteExpiresAt,
    String(session.absoluteExpiresAt - session.createdAt),
  ];
  if (session.userId !== null) fields.push(SessionField.userId, session.userId);
  if (session.roles.length > 0) fields.push(SessionField.roles, JSON.stringify(session.roles));
  if (session.elevatedUntil !== null)
    fields.push(SessionField.elevatedUntil, String(session.elevatedUntil));
  // An unknown client (no IP, no user agent) is stored as no device, as list() reports it.
  if (session.device !== null && (session.device.ip || session.device.userAgent)) {
    fields.push(
      SessionField.ip,
      session.device.ip,
      SessionField.userAgent,
      packUserAgent(session.device.userAgent),
    );
  }
  if (session.rotationDue) fields.push(SessionField.rotationDue, '1');
  if (session.csrfSecret !== undefined) fields.push(SessionField.csrfSecret, session.csrfSecret);
  for (const [key, value] of Object.entries(session.data)) fields.push(dataField(key), value);
  return fields;
}

/**
 * Decodes a flat HGETALL reply; `null` when a required field is missing or malformed.
 *
 * Runs on every authenticated request, so it allocates only what it returns: timestamps are
 * checked digit by digit instead of by regex, and roles, which few distinct sessions differ in,
 * come from a cache of parsed lists (copied out, so no caller shares another's array).
 */
export function decodeStoredSession(flat: readonly unknown[]): StoredSession | null {
  let publicId: string | undefined;
  let userId: string | null = null;
  let createdAt = NaN;
  let lastSeenAt = NaN;
  let absoluteExpiresAt = NaN;
  let roles: readonly string[] = NO_ROLES;
  let elevatedUntil: number | null = null;
  let ip: string | undefined;
  let userAgent: string | undefined;
  let rotationDue = false;
  let csrfSecret: string | undefined;
  // A null-prototype object: a stored key named "__proto__" stays an ordinary key.
  const data = Object.create(null) as Record<string, string>;
  if (flat.length % 2 !== 0) return null;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const field = flat[i];
    const value = flat[i + 1];
    if (typeof field !== 'string' || typeof value !== 'string') return null;
    if (field.charCodeAt(0) === DATA_FIELD_PREFIX_CODE) {
      data[field.slice(1)] = value;
      continue;
    }
    switch (field) {
      case SessionField.publicId:
        publicId = value;
        break;
      case SessionField.userId:
        userId = value;
        break;
      case SessionField.createdAt:
        createdAt = epochMs(value);
        break;
      case SessionField.lastSeenAt:
        lastSeenAt = offsetMs(value);
        break;
      case SessionField.absoluteExpiresAt:
        absoluteExpiresAt = offsetMs(value);
        break;
      case SessionField.roles: {
        const parsed = parseRoles(value);
        if (parsed === null) return null;
        roles = parsed;
        break;
      }
      case SessionField.elevatedUntil:
        elevatedUntil = epochMs(value);
        if (Number.isNaN(elevatedUntil)) return null;
        break;
      case SessionField.ip:
        ip = value;
        break;
      case SessionField.userAgent:
        userAgent = unpackUserAgent(value);
        break;
      case SessionField.rotationDue:
        rotationDue = value === '1';
        break;
      case SessionField.csrfSecret:
        csrfSecret = value;
        break;
      default:
        // Fields from a newer version of the library are kept out of the way, not rejected.
        break;
    }
  }
  if (!publicId || Number.isNaN(createdAt + lastSeenAt + absoluteExpiresAt)) return null;
  const session: Mutable<StoredSession> = {
    publicId,
    userId,
    createdAt,
    lastSeenAt: createdAt + lastSeenAt,
    absoluteExpiresAt: createdAt + absoluteExpiresAt,
    roles: roles === NO_ROLES ? [] : roles,
    elevatedUntil,
    device: ip || userAgent ? { ip: ip ?? '', userAgent: userAgent ?? '' } : null,
    rotationDue,
    data,
  };
  if (csrfSecret !== undefined) session.csrfSecret = csrfSecret;
  return session;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const DATA_FIELD_PREFIX_CODE = DATA_FIELD_PREFIX.charCodeAt(0);
const NO_ROLES: readonly string[] = Object.freeze([]);
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;

// Number('') is 0 and Number('0x10') is 16: only 1 to 16 plain digits are a timestamp.
function epochMs(value: string): number {
  return isDigits(value, 0) ? Number(value) : NaN;
}

// Milliseconds from createdAt; negative only for records a caller built that way.
function offsetMs(value: string): number {
  return isDigits(value, value.charCodeAt(0) === MINUS ? 1 : 0) ? Number(value) : NaN;
}

function isDigits(value: string, from: number): boolean {
  const digits = value.length - from;
  if (digits < 1 || digits > 16) return false;
  for (let i = from; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}

// Sessions of one site carry few distinct role lists: remember the last ones parsed.
const PARSED_ROLES_CACHE_SIZE = 256;
const parsedRoles = new Map<string, readonly string[]>();

function parseRoles(value: string): string[] | null {
  const cached = parsedRoles.get(value);
  if (cached !== undefined) return cached.slice();
  let roles: unknown;
  try {
    roles = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) return null;
  if (parsedRoles.size >= PARSED_ROLES_CACHE_SIZE) parsedRoles.clear();
  parsedRoles.set(value, roles.slice());
  return roles;
}
