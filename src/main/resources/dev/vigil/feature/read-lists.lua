-- Finds which entities of a batch are on a list (RedisFeatureStore's read), with one EXISTS over all
-- their list hashes instead of an HMGET each: few entities are listed, so a batch that names none costs
-- one call. When some exist, the range is halved and each half that holds one searched again, then the
-- hashes found are read.
--
-- KEYS: the list hashes ({x:…}:l) the batch names, each once
-- Reply: a flat array of pairs {position of the hash in KEYS (1-based), flags (1 blacklisted + 2 whitelisted)}
-- for the hashes that exist, in KEYS order.

local call = redis.call
-- Lua's unpack stops at about 8,000 values: a batch's keys go to EXISTS in chunks.
local CHUNK = 4000
local out = {}

local function exists(lo, hi)
  local n = 0
  for first = lo, hi, CHUNK do
    n = n + call('EXISTS', unpack(KEYS, first, math.min(first + CHUNK - 1, hi)))
  end
  return n
end

local function flags(i)
  local f = call('HMGET', KEYS[i], 'b', 'w')
  out[#out + 1] = i
  out[#out + 1] = (f[1] and 1 or 0) + (f[2] and 2 or 0)
end

-- count: how many of KEYS[lo..hi] exist, at least 1
local function search(lo, hi, count)
  if count == hi - lo + 1 then
    for i = lo, hi do flags(i) end
    return
  end
  local mid = math.floor((lo + hi) / 2)
  local left = exists(lo, mid)
  if left > 0 then search(lo, mid, left) end
  if count > left then search(mid + 1, hi, count - left) end
end

local n = #KEYS
if n > 0 then
  local count = exists(1, n)
  if count > 0 then search(1, n, count) end
end
return out
