-- sse-gateway (internal): a channel's events after an id, and whether its history reaches back to that id.
--
--   KEYS[1]  the channel's stream    sse:stream:<channel>
--   ARGV[1]  the last id the client saw, canonical "<ms>-<seq>"
--
-- Returns {complete, entries}, entries as XRANGE gives them. complete = 1 when the id is retained, or is exactly the
-- last entry trimmed away (the oldest retained entry names it in its prev field, written by publish.lua): entries are
-- then exactly the later ones. Otherwise 0 and entries are everything retained: the id is older than the history, was
-- never issued, or the stream expired (then there is nothing).

local stream, asked = KEYS[1], ARGV[1]

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

if redis.call('EXISTS', stream) == 0 then
  return {0, {}}
end
local info = redis.call('XINFO', 'STREAM', stream)
local field = {}
for i = 1, #info, 2 do
  field[info[i]] = info[i + 1]
end
local function everything()
  return redis.call('XRANGE', stream, '-', '+')
end

if compare_ids(asked, field['last-generated-id']) > 0 then
  return {0, everything()}
end
local first = field['first-entry']
if not first then
  return {0, {}}
end
if compare_ids(asked, first[1]) < 0 then
  -- complete only if the asked id is the entry just before the oldest retained one (publish.lua records it as prev)
  local first_fields = first[2]
  for i = 1, #first_fields, 2 do
    if first_fields[i] == 'prev' and first_fields[i + 1] == asked then
      return {1, everything()}
    end
  end
  return {0, everything()}
end
if #redis.call('XRANGE', stream, asked, asked) == 0 then
  return {0, everything()}
end
return {1, redis.call('XRANGE', stream, '(' .. asked, '+')}
