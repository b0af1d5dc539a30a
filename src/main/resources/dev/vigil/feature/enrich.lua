-- Counts one transaction of one account and returns its features (RedisFeatureStore).
-- Every key is in KEYS and shares the account's hash tag, so this runs on one cluster node.
--
-- KEYS: 1 replay record of this transaction id   2 account profile (hash)
--       3 recent event times (zset, lexicographic)  4 merchants seen (set)  5 devices seen (set)
--       6..9 count buckets 1m, 1h, 24h, 7d (hash)   10..13 sum buckets in this currency, same windows
--       14 BALANCE_DEPOSIT count buckets 7d         15 BALANCE_DEPOSIT sum buckets 7d, this currency
-- ARGV: 1 epoch second  2 nanos  3 time as 'SSSSSSSSSSSS.NNNNNNNNN'  4 currency code
--       5 amount in minor units  6 1 when BALANCE_DEPOSIT  7 '=' .. merchant or ''  8 '=' .. device or ''
--       9 allowed lateness (s)  10 TTL of seen sets and times (s)  11 TTL of the replay record (s)
--       12..15 TTL of the 1m, 1h, 24h, 7d buckets (s)
-- Reply (also stored as the replay record): see RedisFeatureStore.decode.

local stored = redis.call('GET', KEYS[1])
if stored then
  -- Redelivery: the features of the first enrichment, nothing counted again.
  local r = cjson.decode(stored)
  r[1] = 1
  return r
end

local BUCKET_SECONDS = {1, 60, 1440, 10080}
local SPAN = 60 -- buckets per window

local tSec = tonumber(ARGV[1])
local tNanos = tonumber(ARGV[2])
local tEnc = ARGV[3]
local lateness = tonumber(ARGV[9])
local historyTtl = tonumber(ARGV[10])

local function decodeTime(enc)
  return tonumber(string.sub(enc, 1, 12)), tonumber(string.sub(enc, 14, 22))
end

-- Whole seconds from (aSec, aNanos) to (bSec, bNanos), floored.
local function wholeSeconds(aSec, aNanos, bSec, bNanos)
  local d = bSec - aSec
  if bNanos < aNanos then d = d - 1 end
  return d
end

-- Previous transaction: the largest event time seen so far that is not after this one.
local timesKey = KEYS[3]
local newestEnc = redis.call('ZREVRANGEBYLEX', timesKey, '+', '-', 'LIMIT', 0, 1)[1]
local prevEnc = redis.call('ZREVRANGEBYLEX', timesKey, '[' .. tEnc, '-', 'LIMIT', 0, 1)[1]
local secondsSincePrevious = -1
if prevEnc then
  local pSec, pNanos = decodeTime(prevEnc)
  secondsSincePrevious = wholeSeconds(pSec, pNanos, tSec, tNanos)
end
redis.call('ZADD', timesKey, 0, tEnc)

local nSec, nNanos = tSec, tNanos
if newestEnc then
  local s, n = decodeTime(newestEnc)
  if s > nSec or (s == nSec and n > nNanos) then nSec, nNanos = s, n end
end

-- Times more than the allowed lateness behind the newest are only needed for their maximum:
-- keep everything from newest - lateness on, plus the one time just before it.
local horizonSec = nSec - lateness
if horizonSec >= 0 then
  local horizonEnc = string.format('%012d.%09d', horizonSec, nNanos)
  local below = redis.call('ZREVRANGEBYLEX', timesKey, '(' .. horizonEnc, '-', 'LIMIT', 0, 1)[1]
  if below then redis.call('ZREMRANGEBYLEX', timesKey, '-', '(' .. below) end
end
redis.call('EXPIRE', timesKey, historyTtl)

-- Adds delta (when not nil) to this event's bucket, drops buckets no event within the lateness horizon can
-- need, and sums buckets b-59..b. Values are int64 strings; the sum is returned as two limbs
-- (hi * 10^9 + lo) so it stays exact in Lua's doubles.
local function bumpAndSum(key, bucketSeconds, delta, ttl)
  local b = math.floor(tSec / bucketSeconds)
  local keepFrom = math.floor(horizonSec / bucketSeconds) - (SPAN - 1)
  if delta then redis.call('HINCRBY', key, string.format('%d', b), delta) end
  local all = redis.call('HGETALL', key)
  local hi, lo = 0, 0
  local old = {}
  for i = 1, #all, 2 do
    local f = tonumber(all[i])
    if f >= b - (SPAN - 1) and f <= b then
      local v = all[i + 1]
      local len = string.len(v)
      if len > 9 then
        hi = hi + tonumber(string.sub(v, 1, len - 9))
        lo = lo + tonumber(string.sub(v, len - 8))
      else
        lo = lo + tonumber(v)
      end
    end
    if f < keepFrom then old[#old + 1] = all[i] end
  end
  if #old > 0 then redis.call('HDEL', key, unpack(old)) end
  if delta then redis.call('EXPIRE', key, ttl) end
  return hi, lo
end

local amount = ARGV[5]
local r = {0}
local sums = {}
for w = 1, 4 do
  local ttl = tonumber(ARGV[11 + w])
  local _, count = bumpAndSum(KEYS[5 + w], BUCKET_SECONDS[w], 1, ttl)
  local hi, lo = bumpAndSum(KEYS[9 + w], BUCKET_SECONDS[w], amount, ttl)
  r[1 + w] = count
  sums[#sums + 1] = hi
  sums[#sums + 1] = lo
end
for i = 1, 8 do r[5 + i] = sums[i] end

-- A transaction that is not a deposit only reads the deposit windows.
local depDelta, depAmount = nil, nil
if ARGV[6] == '1' then depDelta, depAmount = 1, amount end
local _, depCount = bumpAndSum(KEYS[14], BUCKET_SECONDS[4], depDelta, tonumber(ARGV[15]))
local depHi, depLo = bumpAndSum(KEYS[15], BUCKET_SECONDS[4], depAmount, tonumber(ARGV[15]))
r[14] = depCount
r[15] = depHi
r[16] = depLo

local function firstSeen(key, arg)
  if arg == '' then return 0 end
  local added = redis.call('SADD', key, string.sub(arg, 2))
  redis.call('EXPIRE', key, historyTtl)
  return added
end
r[17] = firstSeen(KEYS[4], ARGV[7])
r[18] = firstSeen(KEYS[5], ARGV[8])
r[19] = secondsSincePrevious

local p = redis.call('HMGET', KEYS[2], 'cust', 'open', 'nw', 'nwc', 'ctry', 'kyc', 'closed', 'kycf', 'wl')
local age = -1
if p[2] then
  local oSec, oNanos = decodeTime(p[2])
  local s = wholeSeconds(oSec, oNanos, tSec, tNanos)
  if s < 0 then age = 0 else age = math.floor(s / 86400) end
end
r[20] = age
r[21] = ARGV[4]
-- Every account event writes the customer id, so its presence says a profile exists.
if p[1] then r[22] = 1 else r[22] = 0 end
for i = 1, 9 do
  if p[i] then r[22 + i] = '=' .. p[i] else r[22 + i] = '' end
end

redis.call('SET', KEYS[1], cjson.encode(r), 'EX', tonumber(ARGV[11]))
return r
