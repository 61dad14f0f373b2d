-- sse-gateway channel registry: an instance holds these channels. Adds (or refreshes) the instance's member in each
-- channel's sorted set, scored by the time it expires, in Redis's clock. Members of instances that stopped refreshing
-- them (crashed) are dropped on the way; the key itself expires with its last member.
--
--   KEYS     the channels' sets            sse:registry:channel:<channel> ...
--   ARGV[1]  instance id
--   ARGV[2]  time to live in milliseconds  (channel-ttl)

local instance, ttl = ARGV[1], tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  redis.call('ZADD', key, now + ttl, instance)
  local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', key, latest[2])
end
return #KEYS
