--[[
  Ends an ack that is still the one the caller saw (the silence sweep found its alert gone
  from Alertmanager): removes it, gives its silence an expire-silence handling task, cancels the tiers that have
  not fired, appends `ack-ended`, bumps and publishes the ack version.

  KEYS[1] ack:all  KEYS[2] ack:ver  KEYS[3] handling seq  KEYS[4] handling pending
  KEYS[5] handling delayed  KEYS[6] a:<fp>   KEYS[7] tl:<fp>  KEYS[8] esc:a:<fp>

  ARGV[1] fingerprint, ARGV[2] the ack JSON as read, ARGV[3] reason, ARGV[4] handling queue
  base, ARGV[5] the sweep's time (ISO), ARGV[6] max timeline, ARGV[7] pub/sub channel, ARGV[8] handling task
  max attempts, ARGV[9] SMS queue base (where escalation tiers wait)

  Returns 1 when ended, 0 when the ack changed or is gone
]]
--@include "includes/timeline.lua"
--@include "includes/handling-task.lua"
--@include "includes/cancel-tiers.lua"
--@include "includes/bump-ack-version.lua"
local fp = ARGV[1]
local queue = queueKeys(ARGV[4])
queue.seq, queue.pending, queue.delayed = KEYS[3], KEYS[4], KEYS[5]
if redis.call('HGET', KEYS[1], fp) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], fp)
redis.call('HDEL', KEYS[6], 'ack')
local ack = cjson.decode(ARGV[2])
local event = { at = ARGV[5], type = 'ack-ended', by = 'system', reason = ARGV[3], ackedBy = ack.by }
if type(ack.silence) == 'table' and ack.silence.id then
  enqueueHandlingTask(queue, { kind = 'expire-silence', silenceId = ack.silence.id }, 0, ARGV[8])
  event.silenceId = ack.silence.id
end
local events = { cjson.encode(event) }
local cancelled = cancelTiers(KEYS[8], queueKeys(ARGV[9]))
if #cancelled > 0 then
  events[2] = cjson.encode({ at = ARGV[5], type = 'escalation-cancelled', by = 'system', reason = ARGV[3], tiers = cancelled })
end
if redis.call('EXISTS', KEYS[6]) == 1 then appendTimeline(KEYS[6], KEYS[7], tonumber(ARGV[6]), unpack(events)) end
bumpAckVersion(KEYS[2], ARGV[7])
return 1
