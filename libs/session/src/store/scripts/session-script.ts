/** A Lua script of RedisSessionStore, run by RedisScriptRunner (EVALSHA, EVAL when unknown). */
export interface SessionScript {
  readonly name: string;
  /** `undefined`: the caller passes the key count first (the script takes optional keys). */
  readonly numberOfKeys: number | undefined;
  readonly lua: string;
}
