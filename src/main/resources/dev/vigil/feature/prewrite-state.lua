-- Redis Cluster mode, phase 1 of a batch's write (ClusterStateWriter): locks one entity's state for the
-- batch, if no other batch holds it and its version is still the one the batch read, and parks what the
-- batch will write under that entity's hash tag (its state, and for an account the replay records of its
-- transactions) in the lock, a hash. Nothing visible changes until the batch commits and the lock is rolled
-- forward (roll-forward-state.lua). One entity, one hash tag, one slot.
--
-- A batch that already holds the lock (from an earlier attempt: it keeps its locks while it reads again and
-- computes again) parks its new values in place of the old ones.
--
-- KEYS: 1 the state  2 its lock
-- ARGV: 1 the version read ('' when the state was absent)  2 the lock's TTL (s)  3 the batch id
--       4.. the lock's fields and values: b (batch id), t (lock time, ms), p (the batch's priority), then
--       k<i>, v<i>, x<i> per key to write (key, value, TTL in s)
-- Reply: {'K'} locked; {'C'} the version changed; {'L', batch, time, priority} another batch holds the lock.

local call = redis.call
local held = call('HMGET', KEYS[2], 'b', 't', 'p')
if held[1] == ARGV[3] then
  call('DEL', KEYS[2])
elseif held[1] then
  return {'L', held[1], held[2], held[3]}
end
-- '0' and '7' as strings: a Lua number passed to redis.call is formatted with printf at every call.
if call('GETRANGE', KEYS[1], '0', '7') ~= ARGV[1] then return {'C'} end
-- Lua's unpack stops at about 8,000 values: the fields go to HSET in chunks.
local CHUNK = 4000
for first = 4, #ARGV, CHUNK do
  call('HSET', KEYS[2], unpack(ARGV, first, math.min(first + CHUNK - 1, #ARGV)))
end
call('EXPIRE', KEYS[2], ARGV[2])
return {'K'}
