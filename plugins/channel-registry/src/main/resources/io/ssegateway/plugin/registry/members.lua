-- sse-gateway channel registry (cluster key layout): the instances whose membership of a channel has not expired.
-- Read-only. The cluster layout reads their records in a second call, on the slot of the instance records.
--
--   KEYS[1]  the channel's set    sse:registry:channel:{<channel>}
--
-- Returns the instance ids.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
