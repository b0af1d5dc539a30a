-- Writes what one batch of transactions changed (RedisFeatureStore), all or nothing: every entity
-- state, compare-and-set on the 8-byte version it starts with, then the replay records and the label
-- index. If any state's version is not the one the batch read (another Vigil instance wrote it
-- meanwhile), nothing is written and the positions of those states are returned, so the store
-- re-reads them and computes again.
--
-- KEYS: the n states, then the r replay records, then the x label index keys
-- ARGV: 1 n  2 r  3 x  4 g, the number of TTL groups; then g pairs (states in the group, TTL in s): the
--       states come in groups of one TTL each, in KEYS order; then the TTL of the replay records and
--       that of the index (s); then per state: version read ('' when absent), new value; then the
--       value of each replay record; then the value of each index key
-- Reply: {} when written, else the 1-based positions of the states whose version changed.
-- The keys live under different hash tags: this script needs one Redis, not a cluster.

local call = redis.call
local n, r, x, g = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local a = 4 + 2 * g + 2 -- the argument before the first state's version
local conflicts = {}
for i = 1, n do
  if call('GETRANGE', KEYS[i], 0, 7) ~= ARGV[a + 2 * i - 1] then conflicts[#conflicts + 1] = i end
end
if #conflicts > 0 then return conflicts end
local i = 0
for k = 1, g do
  local ttl = ARGV[4 + 2 * k]
  for _ = 1, tonumber(ARGV[3 + 2 * k]) do
    i = i + 1
    call('SET', KEYS[i], ARGV[a + 2 * i], 'EX', ttl)
  end
end
local replayTtl, indexTtl = ARGV[4 + 2 * g + 1], ARGV[4 + 2 * g + 2]
a = a + 2 * n
for j = 1, r do
  call('SET', KEYS[n + j], ARGV[a + j], 'EX', replayTtl)
end
a = a + r
for j = 1, x do
  -- First writer wins: a redelivery does not move the transaction to another merchant.
  call('SET', KEYS[n + r + j], ARGV[a + j], 'NX', 'EX', indexTtl)
end
return conflicts
