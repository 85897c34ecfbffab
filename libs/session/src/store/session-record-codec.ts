import type { StoredSession } from './stored-session.js';

/**
 * Hash field names of a stored session. Kept to one character because they repeat in every
 * session; application data keys get a "." prefix so they can never collide with these.
 */
export const SessionField = {
  publicId: 'p',
  userId: 'u',
  createdAt: 'c',
  lastSeenAt: 'l',
  absoluteExpiresAt: 'a',
} as const;

const DATA_FIELD_PREFIX = '.';

export function dataField(key: string): string {
  return DATA_FIELD_PREFIX + key;
}

/** Flat field/value list for HSET. */
export function encodeStoredSession(session: StoredSession): string[] {
  const fields = [
    SessionField.publicId,
    session.publicId,
    SessionField.createdAt,
    String(session.createdAt),
    SessionField.lastSeenAt,
    String(session.lastSeenAt),
    SessionField.absoluteExpiresAt,
    String(session.absoluteExpiresAt),
  ];
  if (session.userId !== null) fields.push(SessionField.userId, session.userId);
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
  // A null-prototype object: a stored key named "__proto__" stays an ordinary key.
  const data = Object.create(null) as Record<string, string>;
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
        createdAt = Number(value);
        break;
      case SessionField.lastSeenAt:
        lastSeenAt = Number(value);
        break;
      case SessionField.absoluteExpiresAt:
        absoluteExpiresAt = Number(value);
        break;
      default:
        // Fields from a newer version of the library are kept out of the way, not rejected.
        break;
    }
  }
  if (!publicId || ![createdAt, lastSeenAt, absoluteExpiresAt].every(Number.isFinite)) return null;
  return { publicId, userId, createdAt, lastSeenAt, absoluteExpiresAt, data };
}
