-- Writes what one batch of transactions changed (RedisFeatureStore), all or nothing: every entity
-- state, compare-and-set on the 8-byte version it starts with, then the replay records and the label
-- index. If any state's version is not the one the batch read (another Vigil instance wrote it
-- meanwhile), nothing is written and the positions of those states are returned, so the store
-- re-reads them and computes again.
--
-- Each state is written with SET ... GET, which returns the value it replaces: one command per state
-- checks the version and writes. The first state whose replaced version is not the one read stops the
-- writing; the states already written are put back (their old values; the TTL stays the new one, as a
-- successful retry would set it anyway), and the states after it are compared with GETRANGE to name
-- every changed one.
--
-- KEYS: the n states, then the r replay records, then per label index entry its hash ({ti:<day>:<shard>})
-- ARGV: 1 n  2 r  3 x, the number of index entries  4 g, the number of TTL groups; then g pairs (states
--       in the group, TTL in s): the states come in groups of one TTL each, in KEYS order; then the TTL
--       of the replay records (s) and the time the index hashes expire (epoch s); then per state: version
--       read ('' when absent), new value; then the value of each replay record; then per index entry
--       the transaction id and its merchant|eventTime
-- Reply: {} when written, else the 1-based positions of the states whose version changed.
-- The keys live under different hash tags: this script needs one Redis, not a cluster.

local call = redis.call
local n, r, x, g = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local a = 4 + 2 * g + 2 -- the argument before the first state's version
local replaced = {} -- the value each SET replaced, false when the key was absent

-- Puts back the states 1..last as they were before this script.
local function undo(last)
  for j = 1, last do
    if replaced[j] then call('SET', KEYS[j], replaced[j], 'KEEPTTL') else call('DEL', KEYS[j]) end
  end
end

local i = 0
for k = 1, g do
  local ttl = ARGV[4 + 2 * k]
  for _ = 1, tonumber(ARGV[3 + 2 * k]) do
    i = i + 1
    local old = redis.pcall('SET', KEYS[i], ARGV[a + 2 * i], 'EX', ttl, 'GET')
    if type(old) == 'table' and old.err then
      -- Not a string (or Redis refused): leave nothing of the batch written.
      undo(i - 1)
      return redis.error_reply(old.err)
    end
    replaced[i] = old
    if (old and string.sub(old, 1, 8) or '') ~= ARGV[a + 2 * i - 1] then
      undo(i)
      local conflicts = {i}
      for j = i + 1, n do
        -- '0' and '7' as strings: a Lua number passed to redis.call is formatted with printf at every call.
        if call('GETRANGE', KEYS[j], '0', '7') ~= ARGV[a + 2 * j - 1] then conflicts[#conflicts + 1] = j end
      end
      return conflicts
    end
  end
end
local replayTtl, indexExpiresAt = ARGV[4 + 2 * g + 1], ARGV[4 + 2 * g + 2]
a = a + 2 * n
for j = 1, r do
  call('SET', KEYS[n + j], ARGV[a + j], 'EX', replayTtl)
end
a = a + r
for j = 1, x do
  -- First writer wins: a redelivery does not move the transaction to another merchant. The expiry is set at
  -- every write, so a hash that a write creates never lives without one.
  local hash = KEYS[n + r + j]
  call('HSETNX', hash, ARGV[a + 2 * j - 1], ARGV[a + 2 * j])
  call('EXPIREAT', hash, indexExpiresAt)
end
return {}
