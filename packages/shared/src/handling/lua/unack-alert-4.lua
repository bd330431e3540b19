--[[
  Removes an alert's ack (reminders resume; tiers the ack cancelled stay cancelled for this
  firing) and appends the `unack` event.

  KEYS[1] ack:all  KEYS[2] ack:ver  KEYS[3] a:<fp>  KEYS[4] tl:<fp>

  ARGV[1] fingerprint, ARGV[2] who, ARGV[3] the request's time (ISO), ARGV[4] max timeline, ARGV[5] pub/sub channel

  Returns {1, removed ack JSON} | {0, "missing"} (no record) | {0, "not-acked"}
]]
--@include "includes/timeline.lua"
--@include "includes/bump-ack-version.lua"
if redis.call('EXISTS', KEYS[3]) == 0 then return { 0, 'missing' } end
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return { 0, 'not-acked' } end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], 'ack')
local ack = cjson.decode(existing)
local event = { at = ARGV[3], type = 'unack', by = ARGV[2], ackedBy = ack.by }
if type(ack.silence) == 'table' and ack.silence.id then event.silenceId = ack.silence.id end
appendTimeline(KEYS[3], KEYS[4], tonumber(ARGV[4]), cjson.encode(event))
bumpAckVersion(KEYS[2], ARGV[5])
return { 1, existing }
