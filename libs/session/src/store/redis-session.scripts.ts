/**
 * Lua scripts of RedisSessionStore. Each runs atomically on the node that owns its keys, and all
 * keys a script touches share one hash tag (one slot), so they work unchanged on Redis Cluster.
 * Scripts that walk a user's index build sibling session keys from a prefix passed in ARGV:
 * those keys carry the same hash tag as the declared index key, which Redis Cluster allows.
 *
 * A user's index is a hash: public session id -> token digest, plus the field "#g", the user's
 * revocation generation (public ids are base64url, so "#g" never collides with one).
 */
export interface SessionScript {
  readonly name: string;
  /** `undefined`: the caller passes the key count first (the script takes optional keys). */
  readonly numberOfKeys: number | undefined;
  readonly lua: string;
}

// Shared Lua: is the session at `key` alive at `now`? Deletes it (and its index entry) if not.
const LIVE_SESSION_LUA = `
local function live(key, now, idle)
  local t = redis.call('HMGET', key, 'l', 'a')
  local lastSeen, absolute = tonumber(t[1]), tonumber(t[2])
  if not lastSeen or not absolute then return false end
  if now >= absolute or now >= lastSeen + idle then
    redis.call('DEL', key)
    return false
  end
  return true
end
`;

// Shared Lua: the key a session address resolves to. A rotated-away key may be a short-lived
// forward ({f = new digest}, see the rotate script): follow it to the sibling key it names.
const RESOLVE_FORWARD_LUA = `
local function resolve(key, prefix)
  if redis.call('HEXISTS', key, 'p') == 1 then return key, nil end
  local target = redis.call('HGET', key, 'f')
  if target and redis.call('HEXISTS', prefix .. target, 'p') == 1 then return prefix .. target, target end
  return nil, nil
end
`;

/**
 * Read + expiry check + due touch in one round trip. Timestamps in the hash are the truth;
 * the key TTL (the deadline plus a grace period) only frees memory, so expiry is exact to the
 * millisecond on every instance, and a read within the grace period can tell "expired" from
 * "never existed".
 * Replies 0 (missing), {-1, public id, user id} (expired, now deleted), the HGETALL list, or
 * {-2, new digest, HGETALL list} when the token was rotated away moments ago (forwarded).
 * KEYS[1] session. ARGV: now ms, idle timeout ms, touch interval ms, grace ms, key prefix.
 */
export const readSessionScript: SessionScript = {
  name: 'nestSessionRead',
  numberOfKeys: 1,
  lua:
    RESOLVE_FORWARD_LUA +
    `
local probe = redis.pcall('HEXISTS', KEYS[1], 'p')
if type(probe) == 'table' and probe.err then
  redis.call('DEL', KEYS[1])
  return 0
end
local key, forwardedTo = resolve(KEYS[1], ARGV[5])
if not key then
  if redis.call('HEXISTS', KEYS[1], 'f') == 0 then redis.call('DEL', KEYS[1]) end
  return 0
end
local fields = redis.call('HGETALL', key)
local now, idle, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local lastSeen, absolute, lastSeenAt, publicId, userId
for i = 1, #fields, 2 do
  local f = fields[i]
  if f == 'l' then lastSeen = tonumber(fields[i + 1]); lastSeenAt = i + 1
  elseif f == 'a' then absolute = tonumber(fields[i + 1])
  elseif f == 'p' then publicId = fields[i + 1]
  elseif f == 'u' then userId = fields[i + 1] end
end
if not lastSeen or not absolute then
  redis.call('DEL', key)
  return 0
end
if now >= absolute or now >= lastSeen + idle then
  redis.call('DEL', key)
  return { -1, publicId or '', userId or '' }
end
if now - lastSeen >= interval then
  redis.call('HSET', key, 'l', ARGV[1])
  redis.call('PEXPIRE', key, math.min(idle, absolute - now) + tonumber(ARGV[4]))
  fields[lastSeenAt] = ARGV[1]
end
if forwardedTo then return { -2, forwardedTo, fields } end
return fields
`,
};

/**
 * Creates a session; for a user's session also: refuses it if the user's generation moved since
 * the caller read it (a revoke-all ran while this login was in flight), drops index entries of
 * dead sessions (so the index never outgrows the live set), applies the per-user limit, and
 * indexes the new session. The index lives as long as the newest session can.
 * KEYS[1] session, KEYS[2] user index (absent for anonymous sessions: a placeholder key would
 * hash to another slot).
 * ARGV: ttl ms, index ttl ms, digest, public id, session key prefix, now ms, idle ms,
 *       expected generation ('' = any), max sessions (0 = none), policy, field/value pairs...
 * Replies {1, evicted public ids...}, -1 (limit reached), -2 (generation moved), 0 (collision).
 */
export const createSessionScript: SessionScript = {
  name: 'nestSessionCreate',
  numberOfKeys: undefined,
  lua:
    LIVE_SESSION_LUA +
    `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local evicted = {}
if #KEYS > 1 then
  local index, prefix = KEYS[2], ARGV[5]
  local now, idle = tonumber(ARGV[6]), tonumber(ARGV[7])
  if ARGV[8] ~= '' and (redis.call('HGET', index, '#g') or '0') ~= ARGV[8] then return -2 end
  local entries = redis.call('HGETALL', index)
  local alive = {}
  for i = 1, #entries, 2 do
    if entries[i] ~= '#g' then
      if live(prefix .. entries[i + 1], now, idle) then
        alive[#alive + 1] = { entries[i], entries[i + 1] }
      else
        redis.call('HDEL', index, entries[i])
      end
    end
  end
  local max = tonumber(ARGV[9])
  if max > 0 and #alive >= max then
    if ARGV[10] == 'refuse' then return -1 end
    local seen = {}
    for i, entry in ipairs(alive) do
      seen[i] = { entry[1], entry[2], tonumber(redis.call('HGET', prefix .. entry[2], 'l')) or 0 }
    end
    table.sort(seen, function(x, y) return x[3] < y[3] end)
    for i = 1, #alive - max + 1 do
      redis.call('DEL', prefix .. seen[i][2])
      redis.call('HDEL', index, seen[i][1])
      evicted[#evicted + 1] = seen[i][1]
    end
  end
  redis.call('HSET', index, ARGV[4], ARGV[3])
  if redis.call('PTTL', index) < tonumber(ARGV[2]) then redis.call('PEXPIRE', index, ARGV[2]) end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 11))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
table.insert(evicted, 1, 1)
return evicted
`,
};

/**
 * Writes changed data fields only if the session still exists, so a request that finishes
 * after a logout or revocation cannot recreate it. Follows a forward left by a rotation that a
 * concurrent request of the same client applied first.
 * KEYS[1] session. ARGV: key prefix, number of fields to set, field/value pairs..., fields to
 * delete...
 */
export const saveSessionScript: SessionScript = {
  name: 'nestSessionSave',
  numberOfKeys: 1,
  lua:
    RESOLVE_FORWARD_LUA +
    `
local key = resolve(KEYS[1], ARGV[1])
if not key then return 0 end
local count = tonumber(ARGV[2])
if count > 0 then redis.call('HSET', key, unpack(ARGV, 3, 2 + 2 * count)) end
if #ARGV > 2 + 2 * count then redis.call('HDEL', key, unpack(ARGV, 3 + 2 * count)) end
return 1
`,
};

/**
 * Renames a session to a new token digest (keeping its TTL), clears a pending rotation, sets
 * the given fields, and repoints the user's index. Of two concurrent rotations only the first
 * finds the old session: exactly one new token lives. With a forward time, the old key stays
 * that long as {f = new digest}: requests the same client already sent with the old cookie
 * still find the session. Only used for rotations the server schedules (a roles change by
 * someone else); a login or step-up never forwards, or a planted token would ride along.
 * KEYS[1] old session, KEYS[2] new session.
 * ARGV: user index key prefix, new digest, forward ms (0 = none), field/value pairs...
 */
export const rotateSessionScript: SessionScript = {
  name: 'nestSessionRotate',
  numberOfKeys: 2,
  lua: `
if redis.call('HEXISTS', KEYS[1], 'p') == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HDEL', KEYS[2], 'x')
if #ARGV > 3 then redis.call('HSET', KEYS[2], unpack(ARGV, 4)) end
local owner = redis.call('HMGET', KEYS[2], 'u', 'p')
if owner[1] and owner[2] and redis.call('EXISTS', ARGV[1] .. owner[1]) == 1 then
  redis.call('HSET', ARGV[1] .. owner[1], owner[2], ARGV[2])
end
if tonumber(ARGV[3]) > 0 then
  redis.call('HSET', KEYS[1], 'f', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
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

/**
 * Lists a user's live sessions, removing dead entries on the way: work in proportion to this
 * user's sessions, whatever else Redis holds.
 * KEYS[1] user index. ARGV: session key prefix, now ms, idle ms.
 * Replies a list of {public id, c, l, a, e, ip, ua}.
 */
export const listSessionsScript: SessionScript = {
  name: 'nestSessionList',
  numberOfKeys: 1,
  lua:
    LIVE_SESSION_LUA +
    `
local now, idle = tonumber(ARGV[2]), tonumber(ARGV[3])
local entries = redis.call('HGETALL', KEYS[1])
local result = {}
for i = 1, #entries, 2 do
  if entries[i] ~= '#g' then
    local key = ARGV[1] .. entries[i + 1]
    if live(key, now, idle) then
      local f = redis.call('HMGET', key, 'c', 'l', 'a', 'e', 'ip', 'ua')
      result[#result + 1] = { entries[i], f[1], f[2], f[3], f[4] or '', f[5] or '', f[6] or '' }
    else
      redis.call('HDEL', KEYS[1], entries[i])
    end
  end
end
return result
`,
};

/**
 * Revokes one session of a user by public id. An id that is not this user's is "not found".
 * KEYS[1] user index. ARGV: session key prefix, public id. Replies 1 or 0.
 */
export const revokeSessionScript: SessionScript = {
  name: 'nestSessionRevoke',
  numberOfKeys: 1,
  lua: `
if ARGV[2] == '#g' then return 0 end
local digest = redis.call('HGET', KEYS[1], ARGV[2])
if not digest then return 0 end
redis.call('HDEL', KEYS[1], ARGV[2])
return redis.call('DEL', ARGV[1] .. digest)
`,
};

/**
 * Revokes all sessions of a user but one (or all), and bumps the user's generation so that a
 * login verified before this call but not yet stored is refused by the create script.
 * KEYS[1] user index. ARGV: session key prefix, public id to keep ('' = none), index ttl ms.
 * Replies the revoked public ids.
 */
export const revokeAllSessionsScript: SessionScript = {
  name: 'nestSessionRevokeAll',
  numberOfKeys: 1,
  lua: `
local entries = redis.call('HGETALL', KEYS[1])
local revoked = {}
for i = 1, #entries, 2 do
  local id = entries[i]
  if id ~= '#g' and id ~= ARGV[2] then
    if redis.call('DEL', ARGV[1] .. entries[i + 1]) == 1 then revoked[#revoked + 1] = id end
    redis.call('HDEL', KEYS[1], id)
  end
end
redis.call('HINCRBY', KEYS[1], '#g', 1)
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return revoked
`,
};

/**
 * Sets fields on every live session of a user and marks each for rotation on its next response:
 * how a change made by someone else (roles granted by an admin) reaches the user's sessions.
 * Also moves the user's generation, so a login that read the user before the change is refused
 * rather than stored with the old roles.
 * KEYS[1] user index. ARGV: session key prefix, index ttl ms, field/value pairs...
 * Replies the count.
 */
export const updateUserSessionsScript: SessionScript = {
  name: 'nestSessionUpdateUser',
  numberOfKeys: 1,
  lua: `
local entries = redis.call('HGETALL', KEYS[1])
local updated = 0
for i = 1, #entries, 2 do
  if entries[i] ~= '#g' then
    local key = ARGV[1] .. entries[i + 1]
    if redis.call('EXISTS', key) == 1 then
      redis.call('HSET', key, 'x', '1', unpack(ARGV, 3))
      updated = updated + 1
    else
      redis.call('HDEL', KEYS[1], entries[i])
    end
  end
end
redis.call('HINCRBY', KEYS[1], '#g', 1)
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return updated
`,
};

export const SESSION_SCRIPTS: readonly SessionScript[] = [
  readSessionScript,
  createSessionScript,
  saveSessionScript,
  rotateSessionScript,
  takeSessionScript,
  listSessionsScript,
  revokeSessionScript,
  revokeAllSessionsScript,
  updateUserSessionsScript,
];
