--[[
  An alert's timeline (tl:<fp>, a LIST) next to its record (a:<fp>, a HASH): events are
  appended, the list is trimmed to its newest maxTimeline entries, and it lives exactly as
  long as the record (a record's TTL is set when it resolves, removed when it fires again).
]]

-- A local, not the global: two calls per alert of every delivery.
local rcall = redis.call
-- LTRIM's start for the last maxTimeline given, as text: formatting it costs an sprintf, and a
-- full timeline is trimmed on every append.
local trimFor, trimFrom
-- Appends events to the timeline and trims it; returns nothing (the TTL is the caller's, or followRecordTtl's).
local function pushTimeline(tl, maxTimeline, ...)
  local len = rcall('RPUSH', tl, ...)
  if len > maxTimeline then
    if trimFor ~= maxTimeline then trimFor, trimFrom = maxTimeline, string.format('%d', -maxTimeline) end
    rcall('LTRIM', tl, trimFrom, '-1')
  end
end

-- Gives the timeline the record's remaining time to live; returns the record's PTTL (-2: no record).
local function followRecordTtl(rec, tl)
  local ttl = rcall('PTTL', rec)
  if ttl > 0 then rcall('PEXPIRE', tl, ttl) elseif ttl == -1 then rcall('PERSIST', tl) end
  return ttl
end

-- Appends events, trims, follows the record's TTL; returns the record's PTTL (-2: no record).
local function appendTimeline(rec, tl, maxTimeline, ...)
  pushTimeline(tl, maxTimeline, ...)
  return followRecordTtl(rec, tl)
end
