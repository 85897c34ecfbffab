// Fills Redis with other users' sessions in the library's key layout and stored format (a
// session hash with the usual fields, l and a counted from c, the User-Agent field as the
// library stores it; a one-entry user index each), in server-side chunks: fast, and Redis stays
// responsive between chunks.
const CHUNK = 5000;

const POPULATE_LUA = `
local prefix, from, to, now, ua = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
for i = from, to - 1 do
  local a, b = (i % 64) + 1, (math.floor(i / 64) % 64) + 1
  local tag = '{' .. alphabet:sub(a, a) .. alphabet:sub(b, b) .. '}'
  local digest = string.format('other%038d', i)
  local user = string.format('00000000-0000-4000-8000-%012d', i)
  local public = string.format('pub%013d', i)
  local key = prefix .. tag .. ':s:' .. digest
  redis.call('HSET', key, 'p', public, 'u', user, 'c', now, 'l', 0, 'a', 604800000,
    'r', '["user"]', 'ip', '198.51.100.23', 'ua', ua,
    '.theme', '"dark"', '.locale', '"en-GB"', '.cartItems', '2')
  redis.call('PEXPIRE', key, 3600000)
  local index = prefix .. tag .. ':i:' .. user
  redis.call('HSET', index, public, digest)
  redis.call('PEXPIRE', index, 3600000)
end
return to - from
`;

/** Adds other sessions numbered [from, to). Keys expire after an hour (the run is shorter). */
export async function populateOtherSessions(redis, { prefix, from, to, storedUserAgent }) {
  const now = String(Date.now());
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    await redis.eval(POPULATE_LUA, 0, prefix, start, end, now, storedUserAgent);
  }
}
