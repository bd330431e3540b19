--[[
  Completes a claimed escalation: drops its lease, marks the tier fired (unless an ack
  cancelled it meanwhile) and appends the `escalated` event.

  KEYS[1] esc:inflight  KEYS[2] esc:<fp>  KEYS[3] a:<fp>  KEYS[4] tl:<fp>

  ARGV[1] member, ARGV[2] tier id, ARGV[3] event JSON, ARGV[4] max timeline

  Returns 1 when the lease was still held, 0 otherwise
]]
--@include "includes/timeline.lua"
local held = redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], 's:' .. ARGV[2]) == 'firing' then redis.call('HSET', KEYS[2], 's:' .. ARGV[2], 'fired') end
if redis.call('EXISTS', KEYS[3]) == 1 then appendTimeline(KEYS[3], KEYS[4], tonumber(ARGV[4]), ARGV[3]) end
return held
