--[[
  Appends one event to an alert's timeline and optionally sets one field of its record
  (assign: `assignee`), only if the record exists.

  KEYS[1] a:<fp>  KEYS[2] tl:<fp>

  ARGV[1] event JSON, ARGV[2] max timeline, ARGV[3] record field ("" = none), ARGV[4] its value

  Returns 1, or 0 when the record does not exist
]]
--@include "includes/timeline.lua"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], ARGV[4]) end
appendTimeline(KEYS[1], KEYS[2], tonumber(ARGV[2]), ARGV[1])
return 1
