-- Redis Cluster mode, phase 3 of a batch's write (ClusterStateWriter): once the batch has committed, writes
-- what its lock on one entity parked (prewrite-state.lua) and removes the lock. Run by the writer right after
-- its commit, or by any other writer that meets the lock of a committed batch (its writer died in between).
-- Does nothing when the lock is no longer this batch's (already rolled forward, or rolled back).
--
-- KEYS: 1 the lock  2.. the keys it parked values for (all under the lock's hash tag)
-- ARGV: 1 the batch id
-- Reply: 1 written, 0 not this batch's lock.

local call = redis.call
if call('HGET', KEYS[1], 'b') ~= ARGV[1] then return 0 end
local fields = call('HGETALL', KEYS[1])
local parked = {}
for j = 1, #fields, 2 do parked[fields[j]] = fields[j + 1] end
local i = 1
while parked['k' .. i] do
  call('SET', parked['k' .. i], parked['v' .. i], 'EX', parked['x' .. i])
  i = i + 1
end
call('DEL', KEYS[1])
return 1
