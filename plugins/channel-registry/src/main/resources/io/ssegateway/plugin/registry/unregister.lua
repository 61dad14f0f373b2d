-- sse-gateway channel registry: an instance no longer holds these channels (its last connection to each ended).
-- Removes only that instance's member: other instances holding the channel stay. An empty set disappears.
--
-- With the original gateway's keys on (ARGV[2] not empty), KEYS come in pairs: each channel's set, then its
-- channel:<channel>:gateway string. If that string names the leaving instance, it goes to the remaining live holder
-- refreshed last (its address read from its record, until that membership expires), or is deleted.
--
--   KEYS     the channels' sets            sse:registry:channel:<channel> ...
--            (or pairs: set, original key  sse:registry:channel:<channel> channel:<channel>:gateway ...)
--   ARGV[1]  instance id
--   ARGV[2]  the instance's address as host:port for the original keys, or '' when they are off
--   ARGV[3]  the instance key prefix       sse:registry:instance:

local instance, address, records = ARGV[1], ARGV[2], ARGV[3]
local step = address == '' and 1 or 2
local now = nil
local removed = 0
for i = 1, #KEYS, step do
  removed = removed + redis.call('ZREM', KEYS[i], instance)
  if step == 2 and redis.call('GET', KEYS[i + 1]) == address then
    if not now then
      local time = redis.call('TIME')
      now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
    end
    local successor, expires = nil, nil
    local holders = redis.call('ZREVRANGEBYSCORE', KEYS[i], '+inf', '(' .. now, 'WITHSCORES')
    for j = 1, #holders, 2 do
      successor = redis.call('HGET', records .. holders[j], 'gateway')
      if successor then
        expires = tonumber(holders[j + 1])
        break
      end
    end
    if successor then
      redis.call('SET', KEYS[i + 1], successor, 'PX', expires - now)
    else
      redis.call('DEL', KEYS[i + 1])
    end
  end
end
return removed
