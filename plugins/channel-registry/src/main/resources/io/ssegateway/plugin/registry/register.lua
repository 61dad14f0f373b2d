-- sse-gateway channel registry: an instance holds these channels. Adds (or refreshes) the instance's member in each
-- channel's sorted set, scored by the time it expires, in Redis's clock. Members of instances that stopped refreshing
-- them (crashed) are dropped on the way; the key itself expires with its last member.
--
-- With the original gateway's keys on (ARGV[3] not empty), KEYS come in pairs: each channel's set, then its
-- channel:<channel>:gateway string. A channel's first connection on the instance (ARGV[4] = '1') makes that string name
-- the instance; a refresh renews it only if it names the instance, or writes it if it is gone (its holder left or
-- crashed). It expires with the channel-ttl of the instance it names.
--
--   KEYS     the channels' sets            sse:registry:channel:<channel> ...
--            (or pairs: set, original key  sse:registry:channel:<channel> channel:<channel>:gateway ...)
--   ARGV[1]  instance id
--   ARGV[2]  time to live in milliseconds  (channel-ttl)
--   ARGV[3]  the instance's address as host:port for the original keys, or '' when they are off
--   ARGV[4]  '1' when the instance just took the channels, '0' for a refresh

local instance, ttl, address, joining = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4] == '1'
local step = address == '' and 1 or 2
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 1, #KEYS, step do
  local key = KEYS[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  redis.call('ZADD', key, now + ttl, instance)
  local latest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', key, latest[2])
  if step == 2 then
    local current = redis.call('GET', KEYS[i + 1])
    if joining or not current or current == address then
      redis.call('SET', KEYS[i + 1], address, 'PX', ttl)
    end
  end
end
return #KEYS / step
