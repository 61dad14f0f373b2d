-- sse-gateway channel registry (cluster key layout): the push addresses of instances whose record is still there.
-- Read-only. The records share the hash tag of the instance index, so this script touches one slot.
--
--   KEYS     the instance records      sse:registry:{instances}:<id> ...
--   ARGV     the instance ids, in the order of KEYS
--
-- Returns a flat list: instance id, address, ... (instances without a record are left out).
local result = {}
for i = 1, #KEYS do
  local address = redis.call('HGET', KEYS[i], 'address')
  if address then
    result[#result + 1] = ARGV[i]
    result[#result + 1] = address
  end
end
return result
