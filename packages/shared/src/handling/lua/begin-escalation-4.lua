--[[
  The claim-time check of an escalation task (a delayed task on the handling queue): is the
  alert still firing, with the firing the tier belongs to, and unacked? If so the tier becomes
  `firing` (a Worker that dies now leaves the task to be claimed again: still `firing`, it
  passes again, and the SMS enqueue's idempotency key keeps it to one SMS) and the alert's
  fields come back. If not, the tier is cancelled and the timeline gets `escalation-suppressed`.

  KEYS[1] ack:all  KEYS[2] esc:a:<fp>  KEYS[3] a:<fp>  KEYS[4] tl:<fp>

  ARGV[1] fingerprint, ARGV[2] tier id, ARGV[3] startsAt of the task's firing, ARGV[4] now ISO,
  ARGV[5] max timeline

  Returns {1, tier JSON, labels, annotations, receiver, groupKey, generatorURL} | {0, reason}
]]
--@include "includes/timeline.lua"
local tier, startsAt = ARGV[2], ARGV[3]
local st = redis.call('HMGET', KEYS[2], 'startsAt', 's:' .. tier, 'd:' .. tier)
-- Fired already: this is a second run of a task whose outcome was written (a lost lease).
if st[2] == 'fired' then return { 0, 'fired' } end
local rec = redis.call('HMGET', KEYS[3], 'status', 'startsAt', 'labels', 'annotations', 'receiver', 'groupKey', 'generatorURL')
local reason
if st[1] ~= startsAt or not st[2] then reason = 'fired again'
elseif st[2] == 'cancelled' then reason = 'cancelled'
elseif not rec[1] then reason = 'the alert record expired'
elseif rec[1] ~= 'firing' then reason = 'resolved'
elseif rec[2] ~= startsAt then reason = 'fired again'
else
  local ack = redis.call('HGET', KEYS[1], ARGV[1])
  if ack and cjson.decode(ack).startsAt == startsAt then reason = 'acked' end
end

if not reason then
  redis.call('HSET', KEYS[2], 's:' .. tier, 'firing')
  return { 1, st[3], rec[3], rec[4], rec[5] or '', rec[6] or '', rec[7] or '' }
end
if st[1] == startsAt and st[2] then redis.call('HSET', KEYS[2], 's:' .. tier, 'cancelled') end
if rec[1] then
  local event = { at = ARGV[4], type = 'escalation-suppressed', by = 'system', reason = reason, tier = tier }
  appendTimeline(KEYS[3], KEYS[4], tonumber(ARGV[5]), cjson.encode(event))
end
return { 0, reason }
