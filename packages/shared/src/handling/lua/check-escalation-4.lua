--[[
  The claim-time check of an escalation tier's SMS task (its payload's `precondition`), run by
  the channel Worker right before each send attempt, atomically with ack and resolve (which
  cancel tiers in scripts on the same keys): does the alert still fire, with the firing the
  tier belongs to, unacked, and is the tier not cancelled?
  - First pass (tier `scheduled`): the tier becomes `firing` and the timeline gets `escalated`:
    the tier as scheduled (route, tier, afterMinutes, notify, dueAt), the task id and the
    send-time facts the caller found (recipients, unknownTargets, noPhone, error).
  - A later pass (a retry after a failed send, or another worker after a lost lease; tier
    `firing`): passes again, nothing appended.
  - Otherwise: a tier of this firing is cancelled and the timeline gets `escalation-suppressed`
    with the reason; the task settles as suppressed, so this happens once per task.
  Event times are Redis' clock.

  KEYS[1] ack:all  KEYS[2] esc:a:<fp>  KEYS[3] a:<fp>  KEYS[4] tl:<fp>

  ARGV[1] fingerprint, ARGV[2] tier id, ARGV[3] startsAt of the task's firing, ARGV[4] task id,
  ARGV[5] send-time facts (a JSON object), ARGV[6] max timeline

  Returns {1, first pass (1|0)} | {0, reason}
]]
--@include "includes/now-iso.lua"
--@include "includes/timeline.lua"
local tier, startsAt = ARGV[2], ARGV[3]
local st = redis.call('HMGET', KEYS[2], 'startsAt', 's:' .. tier, 'd:' .. tier)
-- Fired already: a dead task replayed after the ack or resolve that marked its tier fired.
if st[2] == 'fired' then return { 0, 'fired' } end
local rec = redis.call('HMGET', KEYS[3], 'status', 'startsAt')
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

local at = nowIso()
if not reason then
  if st[2] == 'firing' then return { 1, 0 } end
  redis.call('HSET', KEYS[2], 's:' .. tier, 'firing')
  -- Spliced, not decoded and encoded again: cjson would turn an empty list into {}.
  local parts = { cjson.encode({ at = at, type = 'escalated', by = 'system', taskId = ARGV[4] }):sub(2, -2) }
  for _, object in ipairs({ st[3] or '{}', ARGV[5] }) do
    if object ~= '{}' then parts[#parts + 1] = object:sub(2, -2) end
  end
  appendTimeline(KEYS[3], KEYS[4], tonumber(ARGV[6]), '{' .. table.concat(parts, ',') .. '}')
  return { 1, 1 }
end
if st[1] == startsAt and st[2] then redis.call('HSET', KEYS[2], 's:' .. tier, 'cancelled') end
if rec[1] then
  local event = { at = at, type = 'escalation-suppressed', by = 'system', reason = reason, tier = tier }
  appendTimeline(KEYS[3], KEYS[4], tonumber(ARGV[6]), cjson.encode(event))
end
return { 0, reason }
