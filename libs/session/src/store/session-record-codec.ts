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

/** Decodes a flat HGETALL reply; `null` when a required field is missing or malformed. */
export function decodeStoredSession(flat: readonly unknown[]): StoredSession | null {
  let publicId: string | undefined;
  let userId: string | null = null;
  let createdAt = NaN;
  let lastSeenAt = NaN;
  let absoluteExpiresAt = NaN;
  let roles: readonly string[] = [];
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
    if (field.startsWith(DATA_FIELD_PREFIX)) {
      data[field.slice(DATA_FIELD_PREFIX.length)] = value;
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
        if (!Number.isFinite(elevatedUntil)) return null;
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
  if (!publicId || ![createdAt, lastSeenAt, absoluteExpiresAt].every(Number.isFinite)) return null;
  lastSeenAt += createdAt;
  absoluteExpiresAt += createdAt;
  const device = ip || userAgent ? { ip: ip ?? '', userAgent: userAgent ?? '' } : null;
  return {
    publicId,
    userId,
    createdAt,
    lastSeenAt,
    absoluteExpiresAt,
    roles,
    elevatedUntil,
    device,
    rotationDue,
    ...(csrfSecret !== undefined ? { csrfSecret } : {}),
    data,
  };
}

// Number('') is 0 and Number('0x10') is 16: only plain digits are a timestamp.
function epochMs(value: string): number {
  return /^\d{1,16}$/.test(value) ? Number(value) : NaN;
}

// Milliseconds from createdAt; negative only for records a caller built that way.
function offsetMs(value: string): number {
  return /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
}

function parseRoles(value: string): string[] | null {
  try {
    const roles: unknown = JSON.parse(value);
    return Array.isArray(roles) && roles.every((role) => typeof role === 'string') ? roles : null;
  } catch {
    return null;
  }
}
