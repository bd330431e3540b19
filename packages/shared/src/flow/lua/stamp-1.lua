--[[
  Re-stamps a send's slot in a subject's budget with the time the send actually happened (after
  the provider answered), instead of when the slot was taken. A provider counts arrivals on its
  own clock; a send that waited (a busy worker, a slow connection) would otherwise leave our window
  earlier than the provider's, and the next send could land inside the provider's and be throttled.
  Only an existing slot is moved, and only later.

  KEYS[1] budget  ZSET member -> ms (see admit-2.lua)
  ARGV[1] member  ARGV[2] longest window ms (the key's expiry)

  Returns 1 when the slot was re-stamped, 0 when it was gone (the window had passed).
]]
--@include "includes/now-ms.lua"
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not at then return 0 end
local now = nowMs()
if now > tonumber(at) then
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return 1
