/**
 * Lua scripts of RedisSessionStore. Each runs atomically on the node that owns its keys, and all
 * keys a script touches share one hash tag (one slot), so they work unchanged on Redis Cluster.
 * Scripts that walk a user's index build sibling session keys from a prefix passed in ARGV:
 * those keys carry the same hash tag as the declared index key, which Redis Cluster allows.
 *
 * A user's index is a hash: public session id -> token digest, plus the field "#g", the user's
 * revocation generation (public ids are base64url, so "#g" never collides with one).
 */
import type { SessionScript } from './scripts/session-script.js';
import {
  createSessionScript,
  readSessionScript,
  type ReadScriptSettings,
  rotateSessionScript,
  saveSessionScript,
  takeSessionScript,
} from './scripts/session-scripts.js';
import {
  listSessionsScript,
  revokeAllSessionsScript,
  revokeSessionScript,
  updateUserSessionsScript,
} from './scripts/user-index-scripts.js';

export type { ReadScriptSettings, SessionScript };
export {
  createSessionScript,
  listSessionsScript,
  readSessionScript,
  revokeAllSessionsScript,
  revokeSessionScript,
  rotateSessionScript,
  saveSessionScript,
  takeSessionScript,
  updateUserSessionsScript,
};

/** The scripts every store loads; the read script is built per store (readSessionScript). */
export const SESSION_SCRIPTS: readonly SessionScript[] = [
  createSessionScript,
  saveSessionScript,
  rotateSessionScript,
  takeSessionScript,
  listSessionsScript,
  revokeSessionScript,
  revokeAllSessionsScript,
  updateUserSessionsScript,
];
