import { ARGV_SLICES_LUA, LIVE_SESSION_LUA, RESOLVE_FORWARD_LUA } from './lua-snippets.js';
import { wholeMilliseconds } from '../whole-milliseconds.js';
import type { SessionScript } from './session-script.js';

// Scripts on one session (and its entry in the user's index). See ../redis-session.scripts.ts
// for what all scripts share: one slot, sibling keys built from a prefix in ARGV.

/** The timeouts a read script is built for (see readSessionScript). */
export interface ReadScriptSettings {
  readonly idleTimeoutMs: number;
  readonly touchIntervalMs: number;
  readonly graceMs: number;
}

/**
 * Read + expiry check + due touch in one round trip. Timestamps in the hash are the truth
 * (c absolute; l and a counted from c, see session-record-codec.ts);
 * the key TTL (the deadline plus a grace period) only frees memory, so expiry is exact to the
 * millisecond on every instance, and a read within the grace period can tell "expired" from
 * "never existed". One HGETALL answers both "is it a session?" and "is it a forward?": a read
 * costs one hash lookup, two only while a forward is followed.
 * Replies 0 (missing), {-1, public id, user id} (expired, now deleted), the HGETALL list as a
 * JSON array, {-2, new digest, that JSON} when the token was rotated away moments ago
 * (forwarded), or -3 when a login or step-up replaced it moments ago (superseded).
 * KEYS[1] session. ARGV: now ms.
 *
 * The timeouts are written into the script instead of being sent with every read: a store
 * reads with one set of them, and each argument costs ioredis about 0.2 us of CPU to encode on
 * every authenticated request (bench/profiles/store-read.md). The sibling-key prefix that a
 * forward needs is cut from KEYS[1] for the same reason.
 */
export function readSessionScript(settings: ReadScriptSettings): SessionScript {
  const { idleTimeoutMs, touchIntervalMs, graceMs } = settings;
  // Only plain digits ever reach the Lua source.
  for (const [name, value] of Object.entries({ idleTimeoutMs, touchIntervalMs, graceMs })) {
    wholeMilliseconds(`read script: ${name}`, value);
  }
  return {
    name: `nestSessionRead:${idleTimeoutMs}:${touchIntervalMs}:${graceMs}`,
    numberOfKeys: 1,
    lua: `local idle, interval, grace = ${idleTimeoutMs}, ${touchIntervalMs}, ${graceMs}\n${READ_SESSION_LUA}`,
  };
}

const READ_SESSION_LUA = `
-- Where field \`name\` sits in an HGETALL reply.
local function find(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then return i + 1 end
  end
  return nil
end
-- The reply and where p, c, l and a sit in it. The codec writes those four first and a listpack
-- hash keeps insertion order, so a read usually finds them in place and scans nothing; a hash
-- Redis converted to a hashtable (a value over 64 bytes) or a forward is scanned.
local function load(key)
  local fields = redis.pcall('HGETALL', key)
  if fields.err then return nil end
  if fields[1] == 'p' and fields[3] == 'c' and fields[5] == 'l' and fields[7] == 'a' then
    return fields, 2, 4, 6, 8
  end
  return fields, find(fields, 'p'), find(fields, 'c'), find(fields, 'l'), find(fields, 'a')
end
local key, forwardedTo = KEYS[1], nil
local fields, p, c, l, a = load(key)
if not fields then
  redis.call('DEL', key)
  return 0
end
if not p then
  -- Not a session: a forward left by a rotation ({f = new digest}), the mark of one that does
  -- not forward ({s = new digest or ''}), or a corrupt record.
  local f = find(fields, 'f')
  if not f then
    if find(fields, 's') then return -3 end
    if #fields > 0 then redis.call('DEL', key) end
    return 0
  end
  forwardedTo = fields[f]
  -- The sibling key: KEYS[1] up to its last ':' (a digest is base64url, so it has none).
  key = string.match(KEYS[1], '^(.*:)') .. forwardedTo
  fields, p, c, l, a = load(key)
  if not fields then return 0 end
  -- The session moved on again, by a login or step-up of the client that followed the forward.
  if not p then return find(fields, 's') and -3 or 0 end
end
local now = tonumber(ARGV[1])
local created = tonumber(fields[c])
local lastSeen, absolute = tonumber(fields[l]), tonumber(fields[a])
if not created or not lastSeen or not absolute then
  redis.call('DEL', key)
  return 0
end
lastSeen, absolute = created + lastSeen, created + absolute
if now >= absolute or now >= lastSeen + idle then
  redis.call('DEL', key)
  local u = find(fields, 'u')
  return { -1, fields[p], u and fields[u] or '' }
end
if now - lastSeen >= interval then
  local seen = string.format('%d', now - created)
  redis.call('HSET', key, 'l', seen)
  redis.call('PEXPIRE', key, math.min(idle, absolute - now) + grace)
  fields[l] = seen
end
-- One JSON string instead of a RESP array of every field and value: the client decodes one
-- reply item instead of dozens, which is most of a read's cost on the Node side.
if forwardedTo then return { -2, forwardedTo, cjson.encode(fields) } end
return cjson.encode(fields)
`;

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
    ARGV_SLICES_LUA +
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
      local t = redis.call('HMGET', prefix .. entry[2], 'c', 'l')
      seen[i] = { entry[1], entry[2], (tonumber(t[1]) or 0) + (tonumber(t[2]) or 0) }
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
hsetArgs(KEYS[1], 11, #ARGV)
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
    ARGV_SLICES_LUA +
    `
local key = resolve(KEYS[1], ARGV[1])
if not key then return 0 end
local count = tonumber(ARGV[2])
hsetArgs(key, 3, 2 + 2 * count)
hdelArgs(key, 3 + 2 * count, #ARGV)
return 1
`,
};

/**
 * Renames a session to a new token digest (keeping its TTL), clears a pending rotation, sets
 * the given fields, and repoints the user's index. Of two concurrent rotations only the first
 * finds the old session: exactly one new token lives. With a forward time, the old key stays
 * that long as {f = new digest}: requests the same client already sent with the old cookie
 * still find the session. Only used for rotations the server schedules (a roles change by
 * someone else); a login or step-up never forwards, or a planted token would ride along. Those
 * leave {s = new digest} instead, which reads and saves do not follow: it only tells a late
 * request of the same client that its cookie was replaced, not revoked. Only take follows it.
 * KEYS[1] old session, KEYS[2] new session.
 * ARGV: user index key prefix, new digest, forward ms (0 = none), superseded-mark ms (0 = none),
 *       field/value pairs...
 */
export const rotateSessionScript: SessionScript = {
  name: 'nestSessionRotate',
  numberOfKeys: 2,
  lua: `
if redis.call('HEXISTS', KEYS[1], 'p') == 0 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('HDEL', KEYS[2], 'x')
if #ARGV > 4 then redis.call('HSET', KEYS[2], unpack(ARGV, 5)) end
local owner = redis.call('HMGET', KEYS[2], 'u', 'p')
if owner[1] and owner[2] and redis.call('EXISTS', ARGV[1] .. owner[1]) == 1 then
  redis.call('HSET', ARGV[1] .. owner[1], owner[2], ARGV[2])
end
if tonumber(ARGV[3]) > 0 then
  redis.call('HSET', KEYS[1], 'f', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
elseif tonumber(ARGV[4]) > 0 then
  redis.call('HSET', KEYS[1], 's', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`,
};

/**
 * Deletes a session and its index entry, returning what it held (0 when absent). At the old
 * address of a rotation, which is a forward ({f = new digest}) or a superseded mark
 * ({s = new digest}) for a few seconds, it takes the session the rotation moved to as well: a
 * logout (or a login) that races that rotation must not leave the session alive under its new
 * token. Following a mark only ends a session, so a planted token gains nothing by it. A mark
 * through which nothing is taken stays: later requests of the client must still learn that
 * their cookie was replaced, not revoked. With a superseded-mark time, the address is left as
 * {s = ''} for that long once a session was taken: a mark that names no session, since the one
 * taken is gone (see rotate).
 * KEYS[1] session. ARGV: user index key prefix, superseded-mark ms (0 = none).
 */
export const takeSessionScript: SessionScript = {
  name: 'nestSessionTake',
  numberOfKeys: 1,
  lua: `
local function fieldsOf(key)
  local fields = redis.pcall('HGETALL', key)
  if type(fields) ~= 'table' or fields.err then
    redis.call('DEL', key)
    return {}
  end
  return fields
end
local function field(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then return fields[i + 1] end
  end
  return nil
end
local fields = fieldsOf(KEYS[1])
if #fields == 0 then return 0 end
if not field(fields, 'p') then
  local mark = field(fields, 's')
  local to = field(fields, 'f') or mark
  local moved, key = {}, nil
  if to and to ~= '' then
    -- The sibling key: KEYS[1] up to its last ':' (a digest is base64url, so it has none).
    key = string.match(KEYS[1], '^(.*:)') .. to
    moved = fieldsOf(key)
  end
  if not field(moved, 'p') then
    if not mark then redis.call('DEL', KEYS[1]) end
    return 0
  end
  redis.call('DEL', key)
  fields = moved
end
redis.call('DEL', KEYS[1])
local userId, publicId = field(fields, 'u'), field(fields, 'p')
if userId then redis.call('HDEL', ARGV[1] .. userId, publicId) end
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], 's', '')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return fields
`,
};
