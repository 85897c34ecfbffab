/** A role a user can hold. Every user has `user`; the `ADMIN_EMAIL` account also has `admin`. */
export type Role = 'user' | 'admin';

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
