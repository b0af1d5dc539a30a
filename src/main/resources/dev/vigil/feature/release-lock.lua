-- Redis Cluster mode (ClusterStateWriter): removes a batch's lock on one entity without writing what it
-- parked, when the batch did not commit (a prewrite failed, or the batch was aborted). Does nothing when the
-- lock is not this batch's.
--
-- KEYS: 1 the lock
-- ARGV: 1 the batch id
-- Reply: 1 released, 0 not this batch's lock.

if redis.call('HGET', KEYS[1], 'b') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
