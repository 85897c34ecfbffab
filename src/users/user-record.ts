import { BASE_ROLE, ROLE_PATTERN, type Role, type User } from './user.js';

/** The fields of a user's Redis hash. */
export function toUserRecord(user: User): Record<string, string> {
  return {
    id: user.id,
    email: user.email,
    passwordHash: user.passwordHash,
    roles: JSON.stringify(user.roles),
    createdAt: user.createdAt.toISOString(),
  };
}

/**
 * A user from its hash, or `null` when the hash is missing, partial or corrupt: a user that
 * cannot be read is treated as absent (401), never as a server error.
 */
export function fromUserRecord(record: Record<string, string>): User | null {
  const { id, email, passwordHash, roles, createdAt } = record;
  if (!id || !email || !passwordHash || !createdAt) return null;
  const parsedRoles = parseRoles(roles);
  const created = new Date(createdAt);
  if (parsedRoles === null || Number.isNaN(created.getTime())) return null;
  return { id, email, passwordHash, roles: parsedRoles, createdAt: created };
}

function parseRoles(raw: string | undefined): Role[] | null {
  if (raw === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || !value.every(isRole)) return null;
  return value.includes(BASE_ROLE) ? value : null;
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLE_PATTERN.test(value);
}
