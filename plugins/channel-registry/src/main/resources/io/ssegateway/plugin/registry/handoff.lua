-- sse-gateway channel registry (cluster key layout): after an instance left a channel, hand the original gateway's
-- channel:{<channel>}:gateway key to the remaining live holder refreshed last, or delete it; only if the key still
-- names the leaving instance. What unregister.lua does in one step on a single server; on a cluster the instance
-- records live in another slot, so their addresses come as arguments.
--
--   KEYS[1]  the channel's set        sse:registry:channel:{<channel>}
--   KEYS[2]  the original key         channel:{<channel>}:gateway
--   ARGV[1]  the leaving instance's address as host:port
--   ARGV     then pairs: instance id, its address as host:port (the live instances)
--
-- Returns 1 if the key named the leaving instance (and was handed over or deleted), 0 otherwise.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
local addresses = {}
for i = 2, #ARGV - 1, 2 do
  addresses[ARGV[i]] = ARGV[i + 1]
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local holders = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '(' .. now, 'WITHSCORES')
for j = 1, #holders, 2 do
  local successor = addresses[holders[j]]
  if successor then
    redis.call('SET', KEYS[2], successor, 'PX', tonumber(holders[j + 1]) - now)
    return 1
  end
end
redis.call('DEL', KEYS[2])
return 1
