-- Counts one transaction of one account and returns its features (RedisFeatureStore).
-- Every key is in KEYS and shares the account's hash tag, so this runs on one cluster node.
-- Reads come first and every write after them, so an error cannot leave half an event counted.
--
-- KEYS: 1 replay record of this transaction id   2 account profile (hash)
--       3 recent event times (zset, lexicographic)   4 bucket counts, all currencies (hash)
--       5 bucket sums in this transaction's currency (hash)   6 merchants and devices seen (hash)
-- ARGV: 1 epoch second  2 nanos  3 time as 'SSSSSSSSSSSS.NNNNNNNNN'  4 currency code
--       5 amount in minor units  6 '1' when BALANCE_DEPOSIT  7 '=' .. merchant or ''
--       8 '=' .. device or ''  9 allowed lateness (s)  10 TTL of times and seen (s)
--       11 TTL of the replay record (s)  12 TTL of the bucket hashes (s)
-- Reply (also stored as the replay record): see RedisFeatureStore.decode.

local stored = redis.call('GET', KEYS[1])
if stored then
  -- Redelivery: the features of the first enrichment; nothing is counted again.
  local r = cjson.decode(stored)
  r[1] = 1
  return r
end

local SPAN = 60 -- buckets per window
-- Windows 1m, 1h, 24h, 7d, and the 7d window of BALANCE_DEPOSITs. A bucket's field is the integer
-- window * 10^13 + bucket index (an epoch second needs 12 digits): Redis stores it as an integer
-- and Lua reads it with one tonumber.
local BUCKET_SECONDS = {1, 60, 1440, 10080, 10080}
local FIELD_BASE = 1e13

local tSec = tonumber(ARGV[1])
local tNanos = tonumber(ARGV[2])
local tEnc = ARGV[3]
local currency = ARGV[4]
local amount = ARGV[5]
local isDeposit = ARGV[6] == '1'
local lateness = tonumber(ARGV[9])

local function decodeTime(enc)
  return tonumber(string.sub(enc, 1, 12)), tonumber(string.sub(enc, 14, 22))
end

-- Whole seconds from (aSec, aNanos) to (bSec, bNanos), floored.
local function wholeSeconds(aSec, aNanos, bSec, bNanos)
  local d = bSec - aSec
  if bNanos < aNanos then d = d - 1 end
  return d
end

-- A non-negative int64 decimal string as two limbs, v = hi * 10^9 + lo: Lua numbers are
-- doubles, exact only to 2^53, and sums of minor units may go beyond.
local function limbs(v)
  local len = string.len(v)
  if len > 9 then return tonumber(string.sub(v, 1, len - 9)), tonumber(string.sub(v, len - 8)) end
  return 0, tonumber(v)
end

local function addLimbs(v, hi, lo)
  local h, l = limbs(v)
  return hi + h, lo + l
end

-- a + b for non-negative int64 decimal strings, exactly.
local function addDecimal(a, b)
  local ah, al = limbs(a)
  local bh, bl = limbs(b)
  local h, l = ah + bh, al + bl
  if l >= 1e9 then h, l = h + 1, l - 1e9 end
  if h > 9223372036 or (h == 9223372036 and l > 854775807) then
    return error('feature bucket overflows a 64-bit integer')
  end
  if h > 0 then return string.format('%d%09d', h, l) end
  return string.format('%d', l)
end

---------------------------------------------------------------- reads
-- The previous transaction is the latest event time seen so far that is not after this one.
local timesKey = KEYS[3]
local newestEnc = redis.call('ZREVRANGEBYLEX', timesKey, '+', '-', 'LIMIT', 0, 1)[1]
local prevEnc = nil
local nSec, nNanos = tSec, tNanos -- the newest event time, this one included
if newestEnc then
  local s, n = decodeTime(newestEnc)
  if s < tSec or (s == tSec and n <= tNanos) then
    prevEnc = newestEnc
  else
    nSec, nNanos = s, n
    prevEnc = redis.call('ZREVRANGEBYLEX', timesKey, '[' .. tEnc, '-', 'LIMIT', 0, 1)[1]
  end
end
local secondsSincePrevious = -1
if prevEnc then
  local pSec, pNanos = decodeTime(prevEnc)
  secondsSincePrevious = wholeSeconds(pSec, pNanos, tSec, tNanos)
end

-- Events up to the allowed lateness behind the newest get exact features. Buckets below
-- keepFrom can be in the window of no such event: they are dropped.
local horizonSec = nSec - lateness
local bucket, keepFrom = {}, {}
for w = 1, 5 do
  bucket[w] = math.floor(tSec / BUCKET_SECONDS[w])
  keepFrom[w] = math.floor(horizonSec / BUCKET_SECONDS[w]) - (SPAN - 1)
end

local count = {0, 0, 0, 0, 0}
local sumHi, sumLo = {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}
local countNow, sumNow = {}, {} -- this event's own buckets, as they are now

-- Hands each bucket in its window's b-59..b to into(w, value, isThisEventsBucket), and returns the
-- fields below keepFrom.
local function scan(key, into)
  local all = redis.call('HGETALL', key)
  local old = {}
  for i = 1, #all, 2 do
    local n = tonumber(all[i])
    local w = math.floor(n / FIELD_BASE)
    local b = n - w * FIELD_BASE
    if b >= bucket[w] - (SPAN - 1) and b <= bucket[w] then into(w, all[i + 1], b == bucket[w]) end
    if b < keepFrom[w] then old[#old + 1] = all[i] end
  end
  return old
end
local oldCounts = scan(KEYS[4], function(w, v, own)
  count[w] = count[w] + tonumber(v)
  if own then countNow[w] = v end
end)
local oldSums = scan(KEYS[5], function(w, v, own)
  if string.len(v) > 9 then
    sumHi[w], sumLo[w] = addLimbs(v, sumHi[w], sumLo[w])
  else
    sumLo[w] = sumLo[w] + tonumber(v)
  end
  if own then sumNow[w] = v end
end)

local profile = redis.call('HMGET', KEYS[2], 'cust', 'open', 'nw', 'nwc', 'ctry', 'kyc', 'closed', 'kycf', 'wl')

---------------------------------------------------------------- this event's own counts
-- The event counts in its own features. It is stored in a bucket only when that bucket is
-- kept: an event beyond the lateness horizon is in no window of an event within it.
local countUpdates, sumUpdates = {}, {}
local function count1(w)
  count[w] = count[w] + 1
  sumHi[w], sumLo[w] = addLimbs(amount, sumHi[w], sumLo[w])
  if bucket[w] >= keepFrom[w] then
    local field = string.format('%d', w * FIELD_BASE + bucket[w])
    countUpdates[#countUpdates + 1] = field
    countUpdates[#countUpdates + 1] = string.format('%d', (tonumber(countNow[w]) or 0) + 1)
    sumUpdates[#sumUpdates + 1] = field
    sumUpdates[#sumUpdates + 1] = addDecimal(sumNow[w] or '0', amount)
  end
end
for w = 1, 4 do count1(w) end
if isDeposit then count1(5) end

local age = -1
if profile[2] then
  local oSec, oNanos = decodeTime(profile[2])
  local s = wholeSeconds(oSec, oNanos, tSec, tNanos)
  if s < 0 then age = 0 else age = math.floor(s / 86400) end
end

---------------------------------------------------------------- writes
redis.call('ZADD', timesKey, 0, tEnc)
if horizonSec >= 0 then
  -- Of the times before the horizon only the latest can still be someone's previous.
  local horizonEnc = string.format('%012d.%09d', horizonSec, nNanos)
  local below = redis.call('ZREVRANGEBYLEX', timesKey, '(' .. horizonEnc, '-', 'LIMIT', 0, 2)
  if below[2] then redis.call('ZREMRANGEBYLEX', timesKey, '-', '(' .. below[1]) end
end
redis.call('EXPIRE', timesKey, tonumber(ARGV[10]))

local function write(key, old, updates)
  if #old > 0 then redis.call('HDEL', key, unpack(old)) end
  if #updates > 0 then
    redis.call('HSET', key, unpack(updates))
    redis.call('EXPIRE', key, tonumber(ARGV[12]))
  end
end
write(KEYS[4], oldCounts, countUpdates)
write(KEYS[5], oldSums, sumUpdates)

local function firstSeen(kind, arg)
  if arg == '' then return 0 end
  return redis.call('HSETNX', KEYS[6], kind .. string.sub(arg, 2), '1')
end
local newMerchant = firstSeen('m:', ARGV[7])
local newDevice = firstSeen('d:', ARGV[8])
if ARGV[7] ~= '' or ARGV[8] ~= '' then
  redis.call('EXPIRE', KEYS[6], tonumber(ARGV[10]))
end

---------------------------------------------------------------- reply
local r = {0, count[1], count[2], count[3], count[4]}
for w = 1, 4 do
  r[#r + 1] = sumHi[w]
  r[#r + 1] = sumLo[w]
end
r[14] = count[5]
r[15] = sumHi[5]
r[16] = sumLo[5]
r[17] = newMerchant
r[18] = newDevice
r[19] = secondsSincePrevious
r[20] = age
r[21] = currency
-- Every account event writes the customer id, so its presence says a profile exists.
if profile[1] then r[22] = 1 else r[22] = 0 end
for i = 1, 9 do
  if profile[i] then r[22 + i] = '=' .. profile[i] else r[22 + i] = '' end
end

redis.call('SET', KEYS[1], cjson.encode(r), 'EX', tonumber(ARGV[11]))
return r
