-- sse-gateway channel registry: one page of the held channels, with SCAN (never KEYS). Read-only.
-- Like SCAN, a page may hold fewer channels than asked (even none) while the cursor is not 0, and a channel may
-- appear on two pages; the walk is complete when the returned cursor is 0.
--
--   ARGV[1]  the cursor ('0' to start)
--   ARGV[2]  the MATCH pattern of channel keys   sse:registry:channel:*
--   ARGV[3]  COUNT (keys to look at)
--   ARGV[4]  the channel key prefix              sse:registry:channel:
--   ARGV[5]  the instance key prefix             sse:registry:instance:
--
-- Returns {next cursor, {channel, {instance id, ...}}, ...}: only channels held by at least one live instance.

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3], 'TYPE', 'zset')
local result = {page[1]}
for _, key in ipairs(page[2]) do
  local live = {}
  for _, instance in ipairs(redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf')) do
    if redis.call('EXISTS', ARGV[5] .. instance) == 1 then
      live[#live + 1] = instance
    end
  end
  if #live > 0 then
    result[#result + 1] = {string.sub(key, #ARGV[4] + 1), live}
  end
end
return result
