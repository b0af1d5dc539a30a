-- Counts one transaction for one entity other than the account (customer, device, IP, merchant)
-- and returns its velocity aggregates (RedisFeatureStore). Every key shares the entity's hash tag.
-- Reads come first and every write after them, so an error cannot leave half an event counted.
--
-- KEYS: 1 replay record of this transaction id  2 bucket counts, all currencies (hash; field 0 holds
--       the newest event second seen)  3 bucket sums in this transaction's currency (hash)
--       4 list membership (hash: b = blacklisted, w = whitelisted)
--       5 (merchants only) FRAUD labels: hash, transaction id -> 'occurredAt|knownAt' (times as in enrich.lua)
--       6 (merchants only) transactions per UTC day: hash, day number (epoch second / 86400, floored) -> count
-- ARGV: 1 event epoch second  2 allowed lateness (s)  3 TTL of the replay record (s)
--       4 TTL of the bucket hashes (s)  5 the event's own inputs, echoed in the reply  6 nanos
--       7 TTL of the day counts (s)  8.. count increments, then sum increments (see readIncrements)
-- Reply (also stored as the replay record): {replayed, self, count aggregates, sum aggregates,
--   {blacklisted, whitelisted}, {FRAUD labels known by t on transactions in the 24 h, 7 d, 30 d windows},
--   {delayed windows 1, 7, 30 d: FRAUD labels known by t on their transactions, then their transaction counts}}
-- The delayed windows of a transaction on UTC day D are the days D-7-W .. D-8 (W = 1, 7, 30): they end
-- at the start of day D-7, the label delay (FeatureMath.LABEL_DELAY_DAYS and DELAYED_WINDOW_DAYS hold
-- the same numbers). Day counts are kept from day(newest event second - lateness) - 37 on.

local stored = redis.call('GET', KEYS[1])
if stored then
  local r = cjson.decode(stored)
  r[1] = 1
  return r
end

local tSec = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local ttl = tonumber(ARGV[4])
local tNanos = tonumber(ARGV[6])
local dayCountTtl = tonumber(ARGV[7])
local countIncs, i = readIncrements(8)
local sumIncs = readIncrements(i)

local newest = tonumber(redis.call('HGET', KEYS[2], '0') or '-1')
if tSec > newest then newest = tSec end
local horizonSec = newest - lateness

local counts = aggregate(KEYS[2], tSec, horizonSec, countIncs, ttl)
local sums = aggregate(KEYS[3], tSec, horizonSec, sumIncs, ttl)
redis.call('HSET', KEYS[2], '0', string.format('%d', newest))
redis.call('EXPIRE', KEYS[2], ttl)

local listed = redis.call('HMGET', KEYS[4], 'b', 'w')
-- Labels known at or before this event's time, on transactions whose bucket is in each window.
local fraud = {0, 0, 0}
-- Delayed windows: known frauds 1..3, then transactions 4..6.
local delayed = {0, 0, 0, 0, 0, 0}
local day = floor(tSec / 86400)
local delayedLast = day - 8
local delayedFirst = {day - 8, day - 14, day - 37}
if KEYS[5] then
  local FRAUD_BUCKETS = {1440, 10080, 43200}
  local labels = redis.call('HVALS', KEYS[5])
  for _, m in ipairs(labels) do
    local k = tonumber(string.sub(m, 24, 35))
    if k < tSec or (k == tSec and tonumber(string.sub(m, 37, 45)) <= tNanos) then
      local o = tonumber(string.sub(m, 1, 12))
      for w = 1, 3 do
        local bs = FRAUD_BUCKETS[w]
        local b, ob = floor(tSec / bs), floor(o / bs)
        if ob >= b - (SPAN - 1) and ob <= b then fraud[w] = fraud[w] + 1 end
      end
      local od = floor(o / 86400)
      for w = 1, 3 do
        if od >= delayedFirst[w] and od <= delayedLast then delayed[w] = delayed[w] + 1 end
      end
    end
  end
end
if KEYS[6] then
  local keepDay = floor(horizonSec / 86400) - 37
  local days = redis.call('HGETALL', KEYS[6])
  local old = {}
  for j = 1, #days, 2 do
    local d = tonumber(days[j])
    for w = 1, 3 do
      if d >= delayedFirst[w] and d <= delayedLast then delayed[3 + w] = delayed[3 + w] + tonumber(days[j + 1]) end
    end
    if d < keepDay then old[#old + 1] = days[j] end
  end
  if day >= keepDay then redis.call('HINCRBY', KEYS[6], string.format('%d', day), 1) end
  if #old > 0 then redis.call('HDEL', KEYS[6], unpack(old)) end
  redis.call('EXPIRE', KEYS[6], dayCountTtl)
end
local r = {0, ARGV[5], counts, sums, {listed[1] and 1 or 0, listed[2] and 1 or 0}, fraud, delayed}
redis.call('SET', KEYS[1], cjson.encode(r), 'EX', tonumber(ARGV[3]))
return r
