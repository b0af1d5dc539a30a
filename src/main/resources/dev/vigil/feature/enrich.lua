-- Counts one transaction of one account and returns what its features are computed from
-- (RedisFeatureStore). Every key is in KEYS and shares the account's hash tag, so this runs on one
-- cluster node. Reads come first and every write after them, so an error cannot leave half an event
-- counted. The prelude buckets.lua is prepended.
--
-- KEYS: 1 replay record of this transaction id  2 account profile (hash)
--       3 recent event times (zset, lexicographic)  4 bucket counts, all currencies (hash)
--       5 bucket sums in this transaction's currency (hash)  6 merchants, devices, IPs, countries
--       seen: field -> newest event second (hash)  7 recent located events (zset, lexicographic)
--       8 counterparties per 24-minute bucket (hash)  9 list membership (hash: b, w)
--       10 recent merchants: 'time|merchant' (zset, lexicographic)
-- ARGV: 1 event epoch second  2 allowed lateness (s)  3 TTL of the replay record (s)
--       4 TTL of the bucket hashes (s)  5 the event's own inputs, echoed in the reply  6 nanos
--       7 time as 'SSSSSSSSSSSS.NNNNNNNNN'  8 TTL of times, seen, located, counterparties (s)
--       9 novelty window (s)  10..13 '=' .. merchant, device, IP, country, or ''
--       14 located member 'time|lat|lon|country' or ''  15 'i:' or 'o:' .. counterparty, or ''
--       16.. count increments, then sum increments (see readIncrements)
-- Reply (also stored as the replay record): {replayed, self, count aggregates, sum aggregates,
--   {seconds since previous, first, new merchant, new device, new IP, new country, fan-in, fan-out},
--   previous located member or '', {profile present, then 9 fields '=' .. value or ''},
--   {blacklisted, whitelisted}, distinct merchants in (t - 5 min, t]}

local stored = redis.call('GET', KEYS[1])
if stored then
  -- Redelivery: what the first enrichment returned; nothing is counted again.
  local r = cjson.decode(stored)
  r[1] = 1
  return r
end

local tSec = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local bucketTtl = tonumber(ARGV[4])
local tNanos = tonumber(ARGV[6])
local tEnc = ARGV[7]
local historyTtl = tonumber(ARGV[8])
local novelty = tonumber(ARGV[9])
local countIncs, i = readIncrements(16)
local sumIncs = readIncrements(i)

local function decodeTime(enc)
  return tonumber(string.sub(enc, 1, 12)), tonumber(string.sub(enc, 14, 22))
end

local function wholeSeconds(aSec, aNanos, bSec, bNanos)
  local d = bSec - aSec
  if bNanos < aNanos then d = d - 1 end
  return d
end

---------------------------------------------------------------- previous transaction
-- The previous transaction is the latest event time seen so far that is not after this one.
local timesKey = KEYS[3]
local newestEnc = redis.call('ZREVRANGEBYLEX', timesKey, '+', '-', 'LIMIT', 0, 1)[1]
local first = 1
local prevEnc = nil
local nSec, nNanos = tSec, tNanos -- the newest event time, this one included
if newestEnc then
  first = 0
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
local horizonSec = nSec - lateness

-- Of the members before the horizon only the latest can still be someone's previous.
local function addAndTrim(key, member)
  redis.call('ZADD', key, 0, member)
  if horizonSec >= 0 then
    local horizonEnc = string.format('%012d.%09d', horizonSec, nNanos)
    local below = redis.call('ZREVRANGEBYLEX', key, '(' .. horizonEnc, '-', 'LIMIT', 0, 2)
    if below[2] then redis.call('ZREMRANGEBYLEX', key, '-', '(' .. below[1]) end
  end
  redis.call('EXPIRE', key, historyTtl)
end

---------------------------------------------------------------- previous located transaction
local prevLocated = ''
if ARGV[14] ~= '' then
  prevLocated = redis.call('ZREVRANGEBYLEX', KEYS[7], '[' .. tEnc .. '|\255', '-', 'LIMIT', 0, 1)[1] or ''
end

---------------------------------------------------------------- novelty
local KINDS = {'m:', 'd:', 'i:', 'c:'}
local seenFields, seenArgs = {}, {}
for k = 1, 4 do
  local a = ARGV[9 + k]
  if a ~= '' then
    seenFields[#seenFields + 1] = KINDS[k] .. string.sub(a, 2)
    seenArgs[#seenArgs + 1] = k
  end
end
local isNew = {0, 0, 0, 0}
local seenUpdates = {}
if #seenFields > 0 then
  local last = redis.call('HMGET', KEYS[6], unpack(seenFields))
  for j, k in ipairs(seenArgs) do
    local s = last[j] and tonumber(last[j])
    if s == 1 then s = tSec end -- a marker of the first catalogue: seen, time unknown
    if not s or s <= tSec - novelty then isNew[k] = 1 end
    if not s or s < tSec then
      seenUpdates[#seenUpdates + 1] = seenFields[j]
      seenUpdates[#seenUpdates + 1] = string.format('%d', tSec)
    end
  end
end

---------------------------------------------------------------- fan-in, fan-out (24 h window of 24-minute buckets)
local FAN_BUCKET = 1440
local fanIn, fanOut = {}, {}
local fanOld = {}
local mine = floor(tSec / FAN_BUCKET)
local keepFan = floor(horizonSec / FAN_BUCKET) - (SPAN - 1)
local fanField = nil
if ARGV[15] ~= '' then
  fanField = string.sub(ARGV[15], 1, 2) .. string.format('%d', mine) .. ':' .. string.sub(ARGV[15], 3)
end
local cpKeys = redis.call('HKEYS', KEYS[8])
local function tally(f)
  local dir = string.sub(f, 1, 1)
  local colon = string.find(f, ':', 3, true)
  local b = tonumber(string.sub(f, 3, colon - 1))
  local cp = string.sub(f, colon + 1)
  if b >= mine - (SPAN - 1) and b <= mine then
    if dir == 'i' then fanIn[cp] = true else fanOut[cp] = true end
  end
  return b
end
for _, f in ipairs(cpKeys) do
  if tally(f) < keepFan then fanOld[#fanOld + 1] = f end
end
if fanField then tally(fanField) end
local nIn, nOut = 0, 0
for _ in pairs(fanIn) do nIn = nIn + 1 end
for _ in pairs(fanOut) do nOut = nOut + 1 end

local listed = redis.call('HMGET', KEYS[9], 'b', 'w')
local profile = redis.call('HMGET', KEYS[2], 'cust', 'open', 'nw', 'nwc', 'ctry', 'kyc', 'closed', 'kycf', 'wl')

---------------------------------------------------------------- bucketed series (read, then written)
local counts = aggregate(KEYS[4], tSec, horizonSec, countIncs, bucketTtl)
local sums = aggregate(KEYS[5], tSec, horizonSec, sumIncs, bucketTtl)

---------------------------------------------------------------- distinct merchants, 5 minutes
-- Every (time, merchant) the account used, not only the newest time per merchant as in 'seen', so a
-- late event counts exactly the merchants of its own window. Members are kept while a window an event
-- within the lateness can still have (5 min before the horizon) may hold them.
local DM_WINDOW = 300
local dmKey = KEYS[10]
local dmMember = nil
if ARGV[10] ~= '' then dmMember = tEnc .. '|' .. string.sub(ARGV[10], 2) end
local dmLow = string.format('%012d.%09d', math.max(tSec - DM_WINDOW, 0), tNanos)
local dmSet, distinctMerchants = {}, 0
if tSec >= DM_WINDOW then dmLow = '(' .. dmLow .. '|\255' else dmLow = '-' end
for _, m in ipairs(redis.call('ZRANGEBYLEX', dmKey, dmLow, '[' .. tEnc .. '|\255')) do
  local name = string.sub(m, 24)
  if not dmSet[name] then dmSet[name] = true; distinctMerchants = distinctMerchants + 1 end
end
if dmMember and not dmSet[string.sub(dmMember, 24)] then distinctMerchants = distinctMerchants + 1 end

---------------------------------------------------------------- writes
addAndTrim(timesKey, tEnc)
if ARGV[14] ~= '' then addAndTrim(KEYS[7], ARGV[14]) end
if #seenUpdates > 0 then redis.call('HSET', KEYS[6], unpack(seenUpdates)) end
if #seenFields > 0 then redis.call('EXPIRE', KEYS[6], historyTtl) end
if #fanOld > 0 then redis.call('HDEL', KEYS[8], unpack(fanOld)) end
if dmMember then
  redis.call('ZADD', dmKey, 0, dmMember)
  if horizonSec - DM_WINDOW >= 0 then
    redis.call('ZREMRANGEBYLEX', dmKey, '-', string.format('[%012d.%09d|\255', horizonSec - DM_WINDOW, nNanos))
  end
  redis.call('EXPIRE', dmKey, historyTtl)
end
if fanField and mine >= keepFan then
  redis.call('HSET', KEYS[8], fanField, '1')
  redis.call('EXPIRE', KEYS[8], bucketTtl)
end

---------------------------------------------------------------- reply
local p = {0}
-- Every account event writes the customer id, so its presence says a profile exists.
if profile[1] then p[1] = 1 end
for k = 1, 9 do
  if profile[k] then p[1 + k] = '=' .. profile[k] else p[1 + k] = '' end
end
local r = {0, ARGV[5], counts, sums,
  {secondsSincePrevious, first, isNew[1], isNew[2], isNew[3], isNew[4], nIn, nOut}, prevLocated, p,
  {listed[1] and 1 or 0, listed[2] and 1 or 0}, distinctMerchants}
redis.call('SET', KEYS[1], cjson.encode(r), 'EX', tonumber(ARGV[3]))
return r
