-- sse-gateway channel registry: an instance shuts down cleanly. Deletes its record and its member of the index
-- (its channel memberships are removed with unregister.lua first).
--
--   KEYS[1]  the instance record   sse:registry:instance:<id>
--   KEYS[2]  the instance index    sse:registry:instances
--   ARGV[1]  instance id

redis.call('DEL', KEYS[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
