--[[
  An alert's timeline (tl:<fp>, a LIST) next to its record (a:<fp>, a HASH): events are
  appended, readers read its newest maxTimeline entries (read-alerts.ts: LRANGE -max -1), and
  it lives exactly as long as the record (a record's TTL is set when it resolves, removed when
  it fires again). The list is trimmed to its newest maxTimeline entries once it holds
  TRIM_SLACK more: an LTRIM on every append (a full timeline grows by 3 entries per delivery)
  was ~8 % of the accept's Redis CPU, and readers see the same entries either way.
]]

-- A local, not the global: two calls per alert of every delivery.
local rcall = redis.call
-- Entries a timeline may hold beyond maxTimeline before it is trimmed: at most ~15 % more memory
-- per timeline (30 of 200, ~6 KB), one LTRIM per ~10 deliveries of an alert instead of one each.
local TRIM_SLACK = 30
-- LTRIM's start for the last maxTimeline given, as text: formatting it costs an sprintf.
local trimFor, trimFrom
-- Appends events to the timeline and trims it; returns nothing (the TTL is the caller's, or followRecordTtl's).
local function pushTimeline(tl, maxTimeline, ...)
  local len = rcall('RPUSH', tl, ...)
  if len > maxTimeline + TRIM_SLACK then
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
