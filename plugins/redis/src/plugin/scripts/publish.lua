-- sse-gateway: store one event in a channel's Redis stream (once per business id) and publish it to every gateway
-- instance, atomically. Every instance then delivers it with the same id, in stream-id order.
--
--   KEYS[1]  the channel's stream                 sse:stream:<channel>
--   KEYS[2]  the channel's business-id index      sse:ids:<channel>
--   ARGV[1]  the Pub/Sub channel to publish on    sse:<channel>   ('' = store only, publish nothing)
--   ARGV[2]  event type                           no CR, LF or NUL; not empty
--   ARGV[3]  data                                 any text (JSON is delivered as its text)
--   ARGV[4]  business id                          '' for none (then every call stores a new event)
--   ARGV[5]  max length of the stream             XADD MAXLEN ~ (the gateway's default: 1000)
--   ARGV[6]  ttl in milliseconds                  stream and index expire after this much silence (default 3600000)
--
-- Returns {stream id, 1} when the event was stored (and published), or {stream id, 0} when an event with this
-- business id is still retained: then nothing is stored or published again, and its stream id is returned.
--
-- From redis-cli:
--   redis-cli --eval publish.lua sse:stream:orders sse:ids:orders , sse:orders order.created '{"total":3}' order-42 1000 3600000

if #KEYS ~= 2 or #ARGV ~= 6 then
  return redis.error_reply('ERR publish.lua takes 2 keys and 6 arguments, see its header')
end

local stream, index = KEYS[1], KEYS[2]
local pubsub_channel, event_type, data, business_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local max_len, ttl = tonumber(ARGV[5]), tonumber(ARGV[6])

if event_type == '' or string.find(event_type, '[\r\n%z]') then
  return redis.error_reply('ERR event type must be a non-empty string without CR, LF or NUL')
end
if string.find(business_id, '[\r\n%z]') then
  return redis.error_reply('ERR business id must not contain CR, LF or NUL')
end
if max_len == nil or max_len < 1 or max_len ~= math.floor(max_len) then
  return redis.error_reply('ERR max length must be a whole number of at least 1')
end
if ttl == nil or ttl < 1 or ttl ~= math.floor(ttl) then
  return redis.error_reply('ERR ttl must be a whole number of milliseconds, at least 1')
end

-- stream ids are "<ms>-<seq>" in canonical decimal; compare them exactly, without floating point
local function compare_part(a, b)
  if #a ~= #b then
    return #a < #b and -1 or 1
  end
  if a == b then
    return 0
  end
  return a < b and -1 or 1
end
local function compare_ids(a, b)
  local a_ms, a_seq = string.match(a, '^(%d+)-(%d+)$')
  local b_ms, b_seq = string.match(b, '^(%d+)-(%d+)$')
  local by_ms = compare_part(a_ms, b_ms)
  if by_ms ~= 0 then
    return by_ms
  end
  return compare_part(a_seq, b_seq)
end

if business_id ~= '' then
  local existing = redis.call('HGET', index, business_id)
  if existing and #redis.call('XRANGE', stream, existing, existing) > 0 then
    return {existing, 0}
  end
end

local fields = {'event_type', event_type, 'data', data}
if business_id ~= '' then
  fields[#fields + 1] = 'id'
  fields[#fields + 1] = business_id
end
-- the previous entry's id: once this entry is the oldest retained, a client whose last event was that previous one
-- (just trimmed away) has missed nothing, and replay can tell it so
local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
if last then
  fields[#fields + 1] = 'prev'
  fields[#fields + 1] = last[1]
end
local stream_id = redis.call('XADD', stream, 'MAXLEN', '~', max_len, '*', unpack(fields))
redis.call('PEXPIRE', stream, ttl)

if business_id ~= '' then
  redis.call('HSET', index, business_id, stream_id)
  redis.call('PEXPIRE', index, ttl)
  -- forget ids whose events were trimmed away, once the index holds about twice what the stream retains
  if redis.call('HLEN', index) > 2 * max_len + 100 then
    local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)[1][1]
    local entries = redis.call('HGETALL', index)
    for i = 1, #entries, 2 do
      if compare_ids(entries[i + 1], first) < 0 then
        redis.call('HDEL', index, entries[i])
      end
    end
  end
end

if pubsub_channel ~= '' then
  local message = {event_type = event_type, data = data, stream_id = stream_id}
  if business_id ~= '' then
    message.id = business_id
  end
  redis.call('PUBLISH', pubsub_channel, cjson.encode(message))
end
return {stream_id, 1}
