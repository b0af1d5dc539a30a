-- Shared prelude of enrich.lua and entity.lua (LuaScript prepends it): time-bucketed series in hashes.
--
-- A series has an id w (Series.java holds the same table) and a bucket size; its window is the 60
-- buckets b-59..b of the event's bucket b. A bucket is a hash field: w * 10^13 + bucket index, or
-- for a binned series (a histogram) w * 10^13 + bin * 10^8 + bucket index. Values are non-negative
-- int64 decimal strings. Aggregates come back as {w * 1000 + bin, hi, lo} with value hi * 10^9 + lo:
-- Lua numbers are doubles, exact only to 2^53, and sums of minor units may go beyond.

local SPAN = 60
local BUCKET_SECONDS = {1, 60, 1440, 10080, 10080, 5, 15, 43200, 1440, 10080,
                        43200, 43200, 43200, 43200, 43200, 43200, 43200, 43200, 4320, 4320}
local BINNED = {[14] = true, [18] = true}
local FIELD_BASE = 1e13
local BIN_BASE = 1e8
local floor = math.floor

local function limbs(v)
  local len = string.len(v)
  if len > 9 then return tonumber(string.sub(v, 1, len - 9)), tonumber(string.sub(v, len - 8)) end
  return 0, tonumber(v)
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

-- Reads the increments of one hash from ARGV at i: a count n, then n pairs (w * 1000 + bin, value).
local function readIncrements(i)
  local n = tonumber(ARGV[i])
  local incs = {}
  for k = 1, n do incs[k] = {tonumber(ARGV[i + 2 * k - 1]), ARGV[i + 2 * k]} end
  return incs, i + 2 * n + 1
end

-- Aggregates the series of one bucket hash over the windows of an event at second tSec, adds the
-- event's increments (to its own features always; to its buckets when they are kept), drops the
-- buckets below the horizon, and returns the aggregates as a flat list {key, hi, lo, ...}.
-- horizonSec: the newest event second seen minus the allowed lateness; buckets no event at or after
-- it can need are deleted, and an event's own bucket below them is not written.
local function aggregate(key, tSec, horizonSec, incs, ttl)
  local all = redis.call('HGETALL', key)
  local hi, lo, own, old = {}, {}, {}, {}
  for i = 1, #all, 2 do
    local n = tonumber(all[i])
    local w = floor(n / FIELD_BASE)
    local bs = BUCKET_SECONDS[w]
    if bs then
      local b = n - w * FIELD_BASE
      local bin = 0
      if BINNED[w] then
        bin = floor(b / BIN_BASE)
        b = b - bin * BIN_BASE
      end
      local mine = floor(tSec / bs)
      if b >= mine - (SPAN - 1) and b <= mine then
        local k = w * 1000 + bin
        local v = all[i + 1]
        if string.len(v) > 9 then
          local h, l = limbs(v)
          hi[k], lo[k] = (hi[k] or 0) + h, (lo[k] or 0) + l
        else
          hi[k], lo[k] = hi[k] or 0, (lo[k] or 0) + tonumber(v)
        end
        if b == mine then own[n] = v end
      end
      if b < floor(horizonSec / bs) - (SPAN - 1) then old[#old + 1] = all[i] end
    end
  end
  local updates = {}
  for _, inc in ipairs(incs) do
    local k, v = inc[1], inc[2]
    local w = floor(k / 1000)
    local bin = k - w * 1000
    local bs = BUCKET_SECONDS[w]
    local b = floor(tSec / bs)
    local h, l = limbs(v)
    hi[k], lo[k] = (hi[k] or 0) + h, (lo[k] or 0) + l
    if b >= floor(horizonSec / bs) - (SPAN - 1) then
      local field = w * FIELD_BASE + b
      if BINNED[w] then field = field + bin * BIN_BASE end
      local now = addDecimal(own[field] or '0', v)
      own[field] = now
      updates[#updates + 1] = string.format('%d', field)
      updates[#updates + 1] = now
    end
  end
  if #old > 0 then redis.call('HDEL', key, unpack(old)) end
  if #updates > 0 then
    redis.call('HSET', key, unpack(updates))
    redis.call('EXPIRE', key, ttl)
  end
  local out = {}
  for k, h in pairs(hi) do
    local l = lo[k]
    local carry = floor(l / 1e9)
    out[#out + 1] = k
    out[#out + 1] = h + carry
    out[#out + 1] = l - carry * 1e9
  end
  return out
end
