/** A Lua script of RedisSessionStore, registered with ioredis `defineCommand`. */
export interface SessionScript {
  readonly name: string;
  /** `undefined`: the caller passes the key count first (the script takes optional keys). */
  readonly numberOfKeys: number | undefined;
  readonly lua: string;
}
