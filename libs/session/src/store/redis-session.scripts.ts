/**
 * Lua scripts of RedisSessionStore. Each runs atomically on the node that owns its keys, and all
 * keys a script touches share one hash tag (one slot), so they work unchanged on Redis Cluster.
 * Scripts that walk a user's index build sibling keys from a prefix passed in ARGV: those keys
 * carry the same hash tag as the declared ones, which Redis Cluster allows.
 */
export interface SessionScript {
  readonly name: string;
  /** `undefined`: the caller passes the key count first (the script takes optional keys). */
  readonly numberOfKeys: number | undefined;
  readonly lua: string;
}

/**
 * Read + expiry check + due touch in one round trip. Timestamps in the hash are the truth;
 * the key TTL only frees memory, so expiry is exact to the millisecond on every instance.
 * Replies 0 (missing), 1 (expired, now deleted) or the HGETALL field list.
 * KEYS[1] session. ARGV: now ms, idle timeout ms, touch interval ms.
 */
export const readSessionScript: SessionScript = {
  name: 'nestSessionRead',
  numberOfKeys: 1,
  lua: `
local fields = redis.pcall('HGETALL', KEYS[1])
if type(fields) ~= 'table' or fields.err then
  redis.call('DEL', KEYS[1])
  return 0
end
if #fields == 0 then return 0 end
local now, idle, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local lastSeen, absolute, lastSeenAt
for i = 1, #fields, 2 do
  local f = fields[i]
  if f == 'l' then lastSeen = tonumber(fields[i + 1]); lastSeenAt = i + 1
  elseif f == 'a' then absolute = tonumber(fields[i + 1]) end
end
if not lastSeen or not absolute then
  redis.call('DEL', KEYS[1])
  return 0
end
if now >= absolute or now >= lastSeen + idle then
  redis.call('DEL', KEYS[1])
  return 1
end
if now - lastSeen >= interval then
  redis.call('HSET', KEYS[1], 'l', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.min(idle, absolute - now))
  fields[lastSeenAt] = ARGV[1]
end
return fields
`,
};

/**
 * Creates a session and indexes it under its user, dropping index entries whose session is
 * gone (expired by TTL): the index never grows past the user's live sessions plus those that
 * expired since the last login. The index lives as long as the newest session can.
 * KEYS[1] session, KEYS[2] user index (absent for anonymous sessions: a placeholder key would
 * hash to another slot). ARGV: ttl ms, index ttl ms, token digest, public id, session key
 * prefix, field/value pairs...
 */
export const createSessionScript: SessionScript = {
  name: 'nestSessionCreate',
  numberOfKeys: undefined,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if #KEYS > 1 then
  local index = redis.call('HGETALL', KEYS[2])
  for i = 1, #index, 2 do
    if redis.call('EXISTS', ARGV[5] .. index[i + 1]) == 0 then
      redis.call('HDEL', KEYS[2], index[i])
    end
  end
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
`,
};

/**
 * Writes changed data fields only if the session still exists, so a request that finishes
 * after a logout or revocation cannot recreate it.
 * KEYS[1] session. ARGV: number of fields to set, field/value pairs..., fields to delete...
 */
export const saveSessionScript: SessionScript = {
  name: 'nestSessionSave',
  numberOfKeys: 1,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = tonumber(ARGV[1])
if count > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 2, 1 + 2 * count)) end
if #ARGV > 1 + 2 * count then redis.call('HDEL', KEYS[1], unpack(ARGV, 2 + 2 * count)) end
return 1
`,
};

/**
 * Renames a session to a new token digest (keeping its TTL) and repoints the user's index.
 * Of two concurrent rotations only the first finds the old key: exactly one new token lives.
 * KEYS[1] old session, KEYS[2] new session. ARGV: user index key prefix, new digest.
 */
export const rotateSessionScript: SessionScript = {
  name: 'nestSessionRotate',
  numberOfKeys: 2,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
local owner = redis.call('HMGET', KEYS[2], 'u', 'p')
if owner[1] and owner[2] and redis.call('EXISTS', ARGV[1] .. owner[1]) == 1 then
  redis.call('HSET', ARGV[1] .. owner[1], owner[2], ARGV[2])
end
return 1
`,
};

/**
 * Deletes a session and its index entry, returning what it held (0 when absent).
 * KEYS[1] session. ARGV: user index key prefix.
 */
export const takeSessionScript: SessionScript = {
  name: 'nestSessionTake',
  numberOfKeys: 1,
  lua: `
local fields = redis.pcall('HGETALL', KEYS[1])
if type(fields) ~= 'table' or fields.err then
  redis.call('DEL', KEYS[1])
  return 0
end
if #fields == 0 then return 0 end
redis.call('DEL', KEYS[1])
local userId, publicId
for i = 1, #fields, 2 do
  if fields[i] == 'u' then userId = fields[i + 1] elseif fields[i] == 'p' then publicId = fields[i + 1] end
end
if userId and publicId then redis.call('HDEL', ARGV[1] .. userId, publicId) end
return fields
`,
};

export const SESSION_SCRIPTS: readonly SessionScript[] = [
  readSessionScript,
  createSessionScript,
  saveSessionScript,
  rotateSessionScript,
  takeSessionScript,
];
