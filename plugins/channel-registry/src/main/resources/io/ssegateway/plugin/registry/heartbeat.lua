-- sse-gateway channel registry: an instance is alive. Writes its record (a hash that expires unless refreshed) and
-- its member of the instance index (scored by when it expires, in Redis's clock); drops index members of instances
-- that stopped beating.
--
--   KEYS[1]  the instance record   sse:registry:instance:<id>
--   KEYS[2]  the instance index    sse:registry:instances
--   ARGV     instance id, ttl in milliseconds, address, started_at (epoch ms), connections, channels, gateway (the
--            address as host:port, what the original gateway's channel:<channel>:gateway keys hold)
--
-- Returns {1 if the record was still there, 0 if not (first beat, or Redis lost it: the instance then registers every
-- channel it holds again); the started_at it held ('' if none): another value than the instance's own means that
-- another process beats with the same instance id}.

local record, index = KEYS[1], KEYS[2]
local instance, ttl = ARGV[1], tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local existed = redis.call('EXISTS', record)
local previous_start = redis.call('HGET', record, 'started_at') or ''
redis.call('HSET', record, 'address', ARGV[3], 'started_at', ARGV[4], 'connections', ARGV[5], 'channels', ARGV[6],
    'heartbeat_at', now, 'gateway', ARGV[7])
redis.call('PEXPIRE', record, ttl)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
redis.call('ZADD', index, now + ttl, instance)
local latest = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', index, latest[2])
return {existed, previous_start}
