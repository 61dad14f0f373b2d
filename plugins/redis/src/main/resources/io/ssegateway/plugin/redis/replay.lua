-- sse-gateway (internal): one page of a channel's events after an id, and whether its history reaches back to that id.
--
--   KEYS[1]  the channel's stream    sse:stream:<channel>
--   ARGV[1]  the last id the client saw, canonical "<ms>-<seq>"; "" for everything retained (earliest), "?" for an id
--            that cannot be one of this stream's (a gap from the oldest entry)
--   ARGV[2]  the page's budget in bytes: entries are added while 2 x (bytes of event_type, data, id and stream id)
--            + 48 each stays within it (never less than one entry). The gateway counts 2 bytes per UTF-16 unit, which
--            is never more than this, so a page is within its budget on both sides.
--
-- Returns {complete, entries, more}, entries as XRANGE gives them. complete = 1 when the id is retained, or is exactly
-- the last entry trimmed away (the oldest retained entry names it in its prev field, written by publish.lua): entries
-- then start exactly after it. Otherwise 0 and entries start with the oldest retained: the id is older than the
-- history, was never issued, or the stream expired (then there is nothing). more = 1 when entries follow the page.

local stream, asked, budget = KEYS[1], ARGV[1], tonumber(ARGV[2])

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

local function size_of(entry)
  local size = 48 + #entry[1]
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'event_type' or fields[i] == 'data' or fields[i] == 'id' then
      size = size + #fields[i + 1]
    end
  end
  return 2 * size
end

-- entries from start ('-' or '(<id>'), up to the budget, reading 64 at a time
local function page(complete, start)
  local out, bytes, cursor = {}, 0, start
  while true do
    local batch = redis.call('XRANGE', stream, cursor, '+', 'COUNT', 64)
    if #batch == 0 then
      return {complete, out, 0}
    end
    for _, entry in ipairs(batch) do
      local size = size_of(entry)
      if #out > 0 and bytes + size > budget then
        return {complete, out, 1}
      end
      out[#out + 1] = entry
      bytes = bytes + size
    end
    cursor = '(' .. batch[#batch][1]
  end
end

if redis.call('EXISTS', stream) == 0 then
  return {asked == '' and 1 or 0, {}, 0}
end
if asked == '' then
  return page(1, '-')
end
if asked == '?' then
  return page(0, '-')
end
local info = redis.call('XINFO', 'STREAM', stream)
local field = {}
for i = 1, #info, 2 do
  field[info[i]] = info[i + 1]
end
if compare_ids(asked, field['last-generated-id']) > 0 then
  return page(0, '-')
end
local first = field['first-entry']
if not first then
  return {0, {}, 0}
end
if compare_ids(asked, first[1]) < 0 then
  -- complete only if the asked id is the entry just before the oldest retained one (publish.lua records it as prev)
  local first_fields = first[2]
  for i = 1, #first_fields, 2 do
    if first_fields[i] == 'prev' and first_fields[i + 1] == asked then
      return page(1, '-')
    end
  end
  return page(0, '-')
end
if #redis.call('XRANGE', stream, asked, asked) == 0 then
  return page(0, '-')
end
return page(1, '(' .. asked)
