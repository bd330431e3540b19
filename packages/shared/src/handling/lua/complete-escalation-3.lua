--[[
  Completes an escalation the handling Worker began (begin-escalation-4): marks the tier
  fired (unless an ack cancelled it meanwhile) and appends the `escalated` event.

  KEYS[1] esc:a:<fp>  KEYS[2] a:<fp>  KEYS[3] tl:<fp>

  ARGV[1] tier id, ARGV[2] event JSON, ARGV[3] max timeline

  Returns 1
]]
--@include "includes/timeline.lua"
if redis.call('HGET', KEYS[1], 's:' .. ARGV[1]) == 'firing' then redis.call('HSET', KEYS[1], 's:' .. ARGV[1], 'fired') end
if redis.call('EXISTS', KEYS[2]) == 1 then appendTimeline(KEYS[2], KEYS[3], tonumber(ARGV[3]), ARGV[2]) end
return 1
