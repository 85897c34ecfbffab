// Lua functions shared by several scripts, prepended to their source.

// Shared Lua: is the session at `key` alive at `now`? Deletes it (and its index entry) if not.
export const LIVE_SESSION_LUA = `
local function live(key, now, idle)
  local t = redis.call('HMGET', key, 'c', 'l', 'a')
  local created, lastSeen, absolute = tonumber(t[1]), tonumber(t[2]), tonumber(t[3])
  if not created or not lastSeen or not absolute then return false end
  if now >= created + absolute or now >= created + lastSeen + idle then
    redis.call('DEL', key)
    return false
  end
  return true
end
`;

// Shared Lua: the key a session address resolves to. A rotated-away key may be a short-lived
// forward ({f = new digest}, see the rotate script): follow it to the sibling key it names.
export const RESOLVE_FORWARD_LUA = `
local function resolve(key, prefix)
  local own = redis.call('HMGET', key, 'p', 'f')
  if own[1] then return key, nil end
  local target = own[2]
  if target and redis.call('HEXISTS', prefix .. target, 'p') == 1 then return prefix .. target, target end
  return nil, nil
end
`;

// Shared Lua: HSET the field/value pairs ARGV[from..to] and HDEL the fields ARGV[from..to], in
// slices: Lua's unpack() fails past about 8000 values, and a session may hold thousands of small
// data keys within maxDataBytes.
export const ARGV_SLICES_LUA = `
local SLICE = 2000
local function sliced(command, key, from, to)
  for i = from, to, SLICE do
    redis.call(command, key, unpack(ARGV, i, math.min(i + SLICE - 1, to)))
  end
end
local function hsetArgs(key, from, to) sliced('HSET', key, from, to) end
local function hdelArgs(key, from, to) sliced('HDEL', key, from, to) end
`;
