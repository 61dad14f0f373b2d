-- sse-gateway channel registry: which gateway instances hold a channel, and where to push to them.
-- Read-only. An instance counts if its membership has not expired and its record (heartbeat) is still there, so a
-- crashed instance disappears within its TTL.
--
--   KEYS[1]  the channel's set          sse:registry:channel:<channel>
--   ARGV[1]  the instance key prefix    sse:registry:instance:
--
-- Returns a flat list: instance id, address, instance id, address, ... (empty: nobody holds the channel).
--
-- From redis-cli:
--   redis-cli --eval lookup.lua sse:registry:channel:user-42 , sse:registry:instance:

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local result = {}
for _, instance in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  local address = redis.call('HGET', ARGV[1] .. instance, 'address')
  if address then
    result[#result + 1] = instance
    result[#result + 1] = address
  end
end
return result
