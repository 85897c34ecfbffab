/**
 * A role a user can hold: a short lowercase identifier such as `user`, `admin` or `auditor`.
 * Every user has `user`; the `ADMIN_EMAIL` account also has `admin`; admins grant the others.
 */
export type Role = string;

/** The role every user holds. */
export const BASE_ROLE: Role = 'user';

/** What a role looks like: it ends up in session records and in `@RequireRoles()` checks. */
export const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** How many roles an admin can grant in one request (`user` is added on top). */
export const MAX_GRANTED_ROLES = 16;

/** What a user id looks like (ours are UUIDs); anything else names no user. */
export const USER_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/** A stored account. `passwordHash` never leaves the server: reply with `toPublicUser`. */
export interface User {
  id: string;
  /** Normalised (trimmed, lower case). */
  email: string;
  passwordHash: string;
  roles: Role[];
  createdAt: Date;
}

/** The fields of a user that responses may carry. */
export interface PublicUser {
  id: string;
  email: string;
  roles: Role[];
}

export function toPublicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, roles: user.roles };
}

/** `roles` as stored: `user` first, each role once, in the order given. */
export function withBaseRole(roles: readonly Role[]): Role[] {
  return [...new Set([BASE_ROLE, ...roles])];
}
