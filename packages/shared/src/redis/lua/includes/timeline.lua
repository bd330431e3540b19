--[[
  An alert's timeline (tl:<fp>, a LIST) next to its record (a:<fp>, a HASH): events are
  appended, the list is trimmed to its newest maxTimeline entries, and it lives exactly as
  long as the record (a record's TTL is set when it resolves, removed when it fires again).
]]

-- Appends events to the timeline and trims it; returns nothing (the TTL is the caller's, or followRecordTtl's).
local function pushTimeline(tl, maxTimeline, ...)
  local len = redis.call('RPUSH', tl, ...)
  if len > maxTimeline then redis.call('LTRIM', tl, string.format('%d', -maxTimeline), '-1') end
end

-- Gives the timeline the record's remaining time to live; returns the record's PTTL (-2: no record).
local function followRecordTtl(rec, tl)
  local ttl = redis.call('PTTL', rec)
  if ttl > 0 then redis.call('PEXPIRE', tl, ttl) elseif ttl == -1 then redis.call('PERSIST', tl) end
  return ttl
end

-- Appends events, trims, follows the record's TTL; returns the record's PTTL (-2: no record).
local function appendTimeline(rec, tl, maxTimeline, ...)
  pushTimeline(tl, maxTimeline, ...)
  return followRecordTtl(rec, tl)
end
