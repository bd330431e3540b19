--[[
  Acks one alert for its current firing: stores the ack, cancels the escalation tiers that
  have not fired, appends the `ack` event (and `escalation-cancelled` if any), bumps the ack
  version and publishes it. Refuses when the alert is unknown, resolved, fired again since
  the caller read it, or already acked for this firing.

  KEYS[1] ack:all  KEYS[2] ack:ver  KEYS[3] delayed of the SMS queue (where tiers wait)
  KEYS[4] a:<fp>   KEYS[5] tl:<fp>  KEYS[6] esc:a:<fp>

  ARGV[1] fingerprint, ARGV[2] ack JSON (its startsAt = ARGV[3]), ARGV[3] startsAt the caller
  read, ARGV[4] ack event JSON, ARGV[5] the ack's time (ISO, as in the ack JSON: when the API call came), ARGV[6] max timeline, ARGV[7] pub/sub channel,
  ARGV[8] SMS queue base

  Returns {1, version} | {0, "missing"} | {0, "resolved"} | {0, "changed"} | {0, "acked", ack JSON}
]]
--@include "includes/timeline.lua"
--@include "includes/queue-keys.lua"
--@include "includes/cancel-tiers.lua"
--@include "includes/bump-ack-version.lua"
local fp = ARGV[1]
local cur = redis.call('HMGET', KEYS[4], 'status', 'startsAt')
if not cur[1] then return { 0, 'missing' } end
if cur[1] ~= 'firing' then return { 0, 'resolved' } end
if cur[2] ~= ARGV[3] then return { 0, 'changed' } end
local existing = redis.call('HGET', KEYS[1], fp)
if existing and cjson.decode(existing).startsAt == cur[2] then return { 0, 'acked', existing } end

local maxTimeline = tonumber(ARGV[6])
local queue = queueKeys(ARGV[8])
queue.delayed = KEYS[3]
redis.call('HSET', KEYS[1], fp, ARGV[2])
redis.call('HSET', KEYS[4], 'ack', ARGV[2])
local events = { ARGV[4] }
local cancelled = cancelTiers(KEYS[6], queue)
if #cancelled > 0 then
  events[2] = cjson.encode({ at = ARGV[5], type = 'escalation-cancelled', by = cjson.decode(ARGV[2]).by, reason = 'acked', tiers = cancelled })
end
appendTimeline(KEYS[4], KEYS[5], maxTimeline, unpack(events))
return { 1, bumpAckVersion(KEYS[2], ARGV[7]) }
