-- sse-gateway channel registry: an instance no longer holds these channels (its last connection to each ended).
-- Removes only that instance's member: other instances holding the channel stay. An empty set disappears.
--
--   KEYS     the channels' sets    sse:registry:channel:<channel> ...
--   ARGV[1]  instance id

local removed = 0
for _, key in ipairs(KEYS) do
  removed = removed + redis.call('ZREM', key, ARGV[1])
end
return removed
