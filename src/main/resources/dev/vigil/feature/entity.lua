-- Counts one transaction for one entity other than the account (customer, device, IP, merchant)
-- and returns its velocity aggregates (RedisFeatureStore). Every key shares the entity's hash tag.
-- Reads come first and every write after them, so an error cannot leave half an event counted.
--
-- KEYS: 1 replay record of this transaction id  2 bucket counts, all currencies (hash; field 0 holds
--       the newest event second seen)  3 bucket sums in this transaction's currency (hash)
--       4 list membership (hash: b = blacklisted, w = whitelisted)
-- ARGV: 1 event epoch second  2 allowed lateness (s)  3 TTL of the replay record (s)
--       4 TTL of the bucket hashes (s)  5 the event's own inputs, echoed in the reply
--       6.. count increments, then sum increments (see readIncrements)
-- Reply (also stored as the replay record): {replayed, self, count aggregates, sum aggregates,
--   {blacklisted, whitelisted}}

local stored = redis.call('GET', KEYS[1])
if stored then
  local r = cjson.decode(stored)
  r[1] = 1
  return r
end

local tSec = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local ttl = tonumber(ARGV[4])
local countIncs, i = readIncrements(6)
local sumIncs = readIncrements(i)

local newest = tonumber(redis.call('HGET', KEYS[2], '0') or '-1')
if tSec > newest then newest = tSec end
local horizonSec = newest - lateness

local counts = aggregate(KEYS[2], tSec, horizonSec, countIncs, ttl)
local sums = aggregate(KEYS[3], tSec, horizonSec, sumIncs, ttl)
redis.call('HSET', KEYS[2], '0', string.format('%d', newest))
redis.call('EXPIRE', KEYS[2], ttl)

local listed = redis.call('HMGET', KEYS[4], 'b', 'w')
local r = {0, ARGV[5], counts, sums, {listed[1] and 1 or 0, listed[2] and 1 or 0}}
redis.call('SET', KEYS[1], cjson.encode(r), 'EX', tonumber(ARGV[3]))
return r
