-- Writes what one batch of transactions changed (RedisFeatureStore), all or nothing: every entity
-- state, compare-and-set on the 8-byte version it starts with, then the replay records and the label
-- index. If any state's version is not the one the batch read (another Vigil instance wrote it
-- meanwhile), nothing is written and the positions of those states are returned, so the store
-- re-reads them and computes again.
--
-- KEYS: the n states, then the r replay records, then the x label index keys
-- ARGV: 1 n  2 r  3 x; then per state: version read ('' when absent), new value, TTL (s);
--       then per replay record: value, TTL (s); then per index key: value, TTL (s)
-- Reply: {} when written, else the 1-based positions of the states whose version changed.
-- The keys live under different hash tags: this script needs one Redis, not a cluster.

local n, r, x = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local conflicts = {}
for i = 1, n do
  if redis.call('GETRANGE', KEYS[i], 0, 7) ~= ARGV[3 * i + 1] then conflicts[#conflicts + 1] = i end
end
if #conflicts > 0 then return conflicts end
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[3 * i + 2], 'EX', ARGV[3 * i + 3])
end
local a = 3 + 3 * n
for j = 1, r do
  redis.call('SET', KEYS[n + j], ARGV[a + 2 * j - 1], 'EX', ARGV[a + 2 * j])
end
a = a + 2 * r
for j = 1, x do
  -- First writer wins: a redelivery does not move the transaction to another merchant.
  redis.call('SET', KEYS[n + r + j], ARGV[a + 2 * j - 1], 'NX', 'EX', ARGV[a + 2 * j])
end
return conflicts
