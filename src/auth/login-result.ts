import type { User } from '../users/user.js';

/** What `LocalStrategy` hands the login route once the password is verified. */
export interface LoginResult {
  user: User;
  /**
   * The user's session generation, read BEFORE the password was verified: `establish()`
   * refuses the login if a revoke-all (password change, admin logout) ran since.
   */
  generation: string;
}
