import type { SessionAddress, ShardTag } from '../token/session-token.js';

/**
 * The only place Redis key names are spelled. Layout (see the README, "Key layout"):
 *
 *   <prefix>{<shard>}:s:<token digest>   HASH   one session
 *   <prefix>{<shard>}:i:<user id>        HASH   a user's sessions: public id -> token digest
 *
 * `{<shard>}` is the Redis Cluster hash tag. A user's sessions all use the user's shard, so
 * they and the user's index sit in one slot and every script touches a single slot.
 */
export class SessionKeys {
  constructor(private readonly prefix: string) {}

  session(address: SessionAddress): string {
    return `${this.tagged(address.shard)}s:${address.digest}`;
  }

  userIndex(shard: ShardTag, userId: string): string {
    return `${this.tagged(shard)}i:${userId}`;
  }

  /**
   * Prefix of every session key in a shard. Scripts that walk a user's index build sibling
   * session keys from it; they share the hash tag, hence the slot, of the declared keys.
   */
  sessionKeyPrefix(shard: ShardTag): string {
    return `${this.tagged(shard)}s:`;
  }

  private tagged(shard: ShardTag): string {
    return `${this.prefix}{${shard}}:`;
  }
}
