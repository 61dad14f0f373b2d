-- sse-gateway channel registry: the live instances and their records. Read-only.
--
--   KEYS[1]  the instance index         sse:registry:instances
--   ARGV[1]  the instance key prefix    sse:registry:instance:
--
-- Returns a list of {instance id, {field, value, field, value, ...}}.

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local result = {}
for _, instance in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  local fields = redis.call('HGETALL', ARGV[1] .. instance)
  if #fields > 0 then
    result[#result + 1] = {instance, fields}
  end
end
return result
