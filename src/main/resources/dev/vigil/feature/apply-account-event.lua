-- Applies one account event to the account's profile (RedisFeatureStore.apply), once per event id.
-- KEYS: 1 profile (hash)  2 marker of this event id
-- ARGV: 1 event type  2 TTL of the marker (s)  3 customer id
--       4..8 '=' .. value or '' (null) for openedAt, net worth, its currency, country, KYC level

if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', tonumber(ARGV[2])) then return 0 end

local p = KEYS[1]
local t = ARGV[1]
local FIELDS = {'open', 'nw', 'nwc', 'ctry', 'kyc'}
redis.call('HSET', p, 'cust', ARGV[3])
if t == 'ACCOUNT_OPENED' then
  -- Opening states the whole identity: a field it leaves out is cleared.
  for i, f in ipairs(FIELDS) do
    local v = ARGV[3 + i]
    if v == '' then redis.call('HDEL', p, f) else redis.call('HSET', p, f, string.sub(v, 2)) end
  end
elseif t == 'ACCOUNT_UPDATED' then
  for i, f in ipairs(FIELDS) do
    local v = ARGV[3 + i]
    if v ~= '' then redis.call('HSET', p, f, string.sub(v, 2)) end
  end
elseif t == 'ACCOUNT_CLOSED' then
  redis.call('HSET', p, 'closed', '1')
elseif t == 'KYC_FAILED' then
  redis.call('HSET', p, 'kycf', '1')
elseif t == 'WATCHLIST_HIT' then
  redis.call('HSET', p, 'wl', '1')
else
  return redis.error_reply('unknown account event type ' .. t)
end
return 1
