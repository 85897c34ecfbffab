import { LIVE_SESSION_LUA } from './lua-snippets.js';
import type { SessionScript } from './session-script.js';

// Scripts on all sessions of one user, walking the user's index: work in proportion to that
// user's sessions only.

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
